"""API credentials for the API tests, made in one place: a named, expiring token (homecare.apitokens)."""

from __future__ import annotations

from django.contrib.auth.models import User

from homecare.apitokens.services import api_token_create


def api_authorization(user: User) -> dict[str, str]:
    """The ``Authorization`` header an integrator signed in as ``user`` sends."""
    _, secret = api_token_create(user=user, name="Test integration", created_by=user)
    return {"Authorization": f"Token {secret}"}
