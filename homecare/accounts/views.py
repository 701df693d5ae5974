from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homecare.accounts.audiences import Audience, audience_required, audiences_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own area; someone with several audiences chooses."""
    audiences = audiences_of(request.user)
    is_admin = bool(getattr(request.user, "is_staff", False))
    if len(audiences) == 1 and not is_admin:
        return redirect(f"/{audiences[0].value}/")
    if not audiences and is_admin:
        return redirect("admin:index")
    return render(request, "accounts/choose_area.html", {"audiences": audiences, "is_admin": is_admin})


@audience_required(Audience.OFFICER)
def commissioning_home(request: HttpRequest) -> HttpResponse:
    return render(request, "commissioning/home.html")
