"""The second step of signing in (a TOTP code), setting up an authenticator app, and turning it off."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts.audiences import request_user
from homecare.accounts.forms import TotpCodeForm
from homecare.accounts.mfa import (
    confirmed_totp_device,
    fully_signed_in,
    mfa_required_for,
    totp_qr_svg,
    totp_secret,
)
from homecare.accounts.services import totp_device_confirm, totp_device_remove, totp_device_start

WRONG_CODE = "The code is not right. Check the app shows Homecare brokerage and enter its current code"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponseRedirect:
    request.session.cycle_key()  # a new session id once the person is fully signed in
    django_otp.login(request, device)
    return HttpResponseRedirect(_next_url(request))


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Step two of signing in: the code from the person's authenticator app."""
    user = request_user(request)
    device = confirmed_totp_device(user)
    if device is None:
        return redirect(f"{reverse('accounts:mfa_setup')}?{request.GET.urlencode()}")
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next_url(request))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Too many wrong codes. Wait a minute, then enter the app's current code")
        elif (matched := django_otp.verify_token(user, device.persistent_id, form.cleaned_data["code"])) is not None:
            return _verified(request, matched)
        else:
            form.add_error("code", WRONG_CODE)
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm with a first code."""
    user = request_user(request)
    if confirmed_totp_device(user) is not None:
        # Replacing a device needs the current one first; a lost phone is an administrator's job.
        if not user.is_verified():  # type: ignore[attr-defined]
            return redirect(f"{reverse('accounts:verify')}?{request.GET.urlencode()}")
        return redirect("accounts:account")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = totp_device_start(user=user)
    form = TotpCodeForm(request.POST or None, submit_label="Confirm and continue")
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(user=user, device_id=device.pk, code=form.cleaned_data["code"])
        if confirmed is not None:
            messages.success(request, "Two-step verification is set up. You will be asked for a code when you sign in.")
            return _verified(request, confirmed)
        form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "next": _next_url(request),
        "required": mfa_required_for(user),
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
    }
    return render(request, "accounts/mfa_setup.html", context)


@require_POST
@fully_signed_in
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if mfa_required_for(user):
        raise PermissionDenied("Two-step verification is required for your role and cannot be turned off.")
    totp_device_remove(user=user)
    messages.success(request, "Two-step verification is off. You can turn it on again at any time.")
    return redirect("accounts:account")
