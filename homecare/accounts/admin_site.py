"""The Django admin behind the service's own sign-in: one door, with its lockout and its second factor.

``homecare.accounts.admin_config.HomecareAdminConfig`` replaces ``django.contrib.admin`` in
INSTALLED_APPS, so ``admin.site`` is a ``HomecareAdminSite`` (Django's documented way to swap it).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class HomecareAdminSite(admin.AdminSite):
    site_header = "Homecare brokerage administration"
    site_title = "Homecare brokerage admin"

    def has_permission(self, request: HttpRequest) -> bool:
        from homecare.accounts.mfa import second_factor_pending

        return super().has_permission(request) and not second_factor_pending(request)

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        """Send people to the service's sign-in page, which locks out guessing and asks for the code."""
        from homecare.accounts.mfa import second_factor_pending, second_factor_redirect

        next_url = request.GET.get("next") or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if second_factor_pending(request):
            return second_factor_redirect(request, next_url)
        if not self.has_permission(request):
            raise PermissionDenied("The admin is for system administrators.")
        return HttpResponseRedirect(next_url if url_has_allowed_host_and_scheme(next_url, None) else "/admin/")
