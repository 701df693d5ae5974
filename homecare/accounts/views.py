from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from homecare.accounts.audiences import audiences_of, request_user
from homecare.accounts.forms import GdsPasswordChangeForm, GdsPasswordResetForm, GdsSetPasswordForm
from homecare.accounts.mfa import (
    confirmed_totp_device,
    fully_signed_in,
    mfa_required_for,
    second_factor_pending,
    second_factor_redirect,
)
from homecare.accounts.services import password_change_record, password_reset_record


class SignInView(auth_views.LoginView):
    """Step one: username and password (django-axes counts failures). Step two, where owed: the code."""

    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        super().form_valid(form)
        if second_factor_pending(self.request):
            return second_factor_redirect(self.request, self.get_success_url())
        return HttpResponseRedirect(self.get_success_url())


@fully_signed_in
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own area; someone with several audiences chooses."""
    audiences = audiences_of(request.user)
    is_admin = bool(getattr(request.user, "is_staff", False))
    if len(audiences) == 1 and not is_admin:
        return redirect(f"/{audiences[0].value}/")
    if not audiences and is_admin:
        return redirect("admin:index")
    return render(request, "accounts/choose_area.html", {"audiences": audiences, "is_admin": is_admin})


@fully_signed_in
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: password and two-step verification."""
    user = request_user(request)
    context = {"has_device": confirmed_totp_device(user) is not None, "mfa_required": mfa_required_for(user)}
    return render(request, "accounts/account.html", context)


@method_decorator(fully_signed_in, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = GdsPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: GdsPasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        password_change_record(user=form.user)
        return response


@method_decorator(fully_signed_in, name="dispatch")
class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Always answers "check your email", so the page never tells whether an address has an account."""

    form_class = GdsPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: GdsPasswordResetForm) -> HttpResponse:
        # The configured public address, not the request's Host header, goes into the emailed link.
        self.extra_email_context = {"site_url": settings.HOMECARE_SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = GdsSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: GdsSetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        password_reset_record(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
