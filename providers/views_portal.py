"""The provider portal's home page: the organisation the signed-in member of staff works for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homecare.accounts.audiences import Audience, audience_required
from providers.selectors import provider_for_user


@audience_required(Audience.PROVIDER)
def portal_home(request: HttpRequest) -> HttpResponse:
    provider = provider_for_user(user=request.user)
    return render(request, "portal/home.html", {"provider": provider})
