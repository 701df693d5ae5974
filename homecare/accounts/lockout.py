"""What a locked-out person sees: the sign-in page with a plain explanation (django-axes' AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Sign-in is locked after {settings.AXES_FAILURE_LIMIT} wrong passwords for this username or from this "
        f"network address. Try again in {minutes} minutes, reset your password, or ask a system administrator "
        "to unlock it."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 Too Many Requests, with the sign-in page so the person knows what happened and what to do."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "accounts/sign_in.html", context, status=429)
