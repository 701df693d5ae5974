"""Each signed-in person's own API tokens: list them, create one (its secret shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from knox.settings import knox_settings

from homecare.accounts.audiences import request_user
from homecare.accounts.mfa import fully_signed_in
from homecare.apitokens.forms import ApiTokenCreateForm
from homecare.apitokens.selectors import api_token_get_for_user, api_tokens_for_user
from homecare.apitokens.services import api_token_create, api_token_revoke


# The second factor too: a token is a credential of its own, so minting one must not skip the code.
@fully_signed_in
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = api_tokens_for_user(user=request_user(request))
    return render(request, "apitokens/token_list.html", {"tokens": tokens, "ttl_days": _ttl_days()})


@never_cache  # the response to the POST carries the secret: no cache, no back-button copy
@fully_signed_in
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret in the response itself: never in a URL, session or redirect."""
    user = request_user(request)
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(user=user, name=form.cleaned_data["name"], created_by=user)
        except ValidationError as exc:
            form.add_error(None if not hasattr(exc, "error_dict") else "name", exc)
        else:
            return render(request, "apitokens/token_created.html", {"token": token, "secret": secret})
    return render(request, "apitokens/token_create.html", {"form": form, "ttl_days": _ttl_days()})


@fully_signed_in
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request_user(request)
    token = api_token_get_for_user(token_id=token_id, user=user)  # someone else's token is a 404
    if request.method == "POST":
        api_token_revoke(token=token, revoked_by=user)
        messages.success(request, f"API token “{token.name}” revoked. Systems using it can no longer call the API.")
        return redirect("apitokens:list")
    return render(request, "apitokens/token_revoke.html", {"token": token})


def _ttl_days() -> int:
    return int(knox_settings.TOKEN_TTL.days)
