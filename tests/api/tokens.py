"""API credentials for the API tests, made in one place (today DRF's authtoken; swap the body to change scheme)."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token


def api_authorization(user: User) -> dict[str, str]:
    """The ``Authorization`` header an integrator signed in as ``user`` sends."""
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}
