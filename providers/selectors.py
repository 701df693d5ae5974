"""Reads about providers. Fetch-and-authorise lives here so a view cannot forget it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from providers.models import Provider, ProviderStaff


def provider_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Provider:
    """The one provider organisation a portal user works for; refuse anyone not linked to one."""
    if user.pk is None:
        raise PermissionDenied("Sign in as provider staff.")
    staff = ProviderStaff.objects.select_related("provider").filter(user_id=user.pk).first()
    if staff is None:
        raise PermissionDenied("Your account is not linked to a provider organisation.")
    return staff.provider
