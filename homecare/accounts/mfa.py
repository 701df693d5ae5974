"""Who must give a second factor (a TOTP code), and where to send someone who has not given it yet.

Commissioning officers, CCC staff and system administrators must (``HOMECARE_MFA_REQUIRED``, on by
default); provider staff may turn it on, and once they have, they must give a code too. The checks
run where audiences are checked (``audience_required``, the API permission classes, the admin site),
so no page of an audience is reachable on a password alone.
"""

from __future__ import annotations

from base64 import b32encode
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts.audiences import Audience, UserLike, ViewFunc, audiences_of

# Audiences whose pages hold the council's whole caseload; provider staff see only their own offers.
MFA_AUDIENCES = frozenset({Audience.OFFICER, Audience.CCC})


def mfa_required_for(user: UserLike) -> bool:
    """Must this person set up and use a second factor before reaching any audience page?"""
    if not settings.HOMECARE_MFA_REQUIRED or not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    return bool(MFA_AUDIENCES & set(audiences_of(user)))


def confirmed_totp_device(user: UserLike) -> TOTPDevice | None:
    if not isinstance(user, User):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_pending(request: HttpRequest) -> bool:
    """Signed in with a password, but a code is still owed (required, or the person turned MFA on)."""
    user = request.user
    # OTPMiddleware adds is_verified(); a user just signed in by auth.login() in this request has not got it.
    is_verified = getattr(user, "is_verified", None)
    if not user.is_authenticated or (is_verified is not None and is_verified()):
        return False
    return mfa_required_for(user) or confirmed_totp_device(user) is not None


def second_factor_redirect(request: HttpRequest, next_url: str | None = None) -> HttpResponseRedirect:
    """To the code page if the person has a device, else to set one up; both come back to ``next_url``."""
    target = "accounts:verify" if confirmed_totp_device(request.user) is not None else "accounts:mfa_setup"
    query = urlencode({"next": next_url if next_url is not None else request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(target)}?{query}")


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps ask for it when typed in: base32, in groups of four."""
    plain = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code, drawn on the server (no script, no third party)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#0b0c0c")
    return svg


def fully_signed_in(view: ViewFunc) -> ViewFunc:
    """Like ``login_required``, and the second factor too where it is owed (pages of no single audience)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if second_factor_pending(request):
            return second_factor_redirect(request)
        return view(request, *args, **kwargs)

    return cast(ViewFunc, wrapped)
