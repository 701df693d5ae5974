"""Create and revoke API tokens. The audit events are written by ``access_audit``'s receivers."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from homecare.apitokens.models import ApiToken
from homecare.audit.actor import acting_as

# Enough for live, test and a rotation overlap per system; more usually means forgotten tokens.
MAX_TOKENS_PER_USER = 10


@transaction.atomic
def api_token_create(*, user: User, name: str, created_by: User | None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is never available again.

    1. Lock the user's row, so two requests cannot both pass the limit.
    2. Refuse a blank name or a user already holding ``MAX_TOKENS_PER_USER`` live tokens.
    3. Create it with knox (only the digest is stored), expiring after ``HOMECARE_API_TOKEN_TTL_DAYS``.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the token, so you can tell it apart later."})
    live = ApiToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).count()
    if live >= MAX_TOKENS_PER_USER:
        raise ValidationError(
            f"You already have {MAX_TOKENS_PER_USER} API tokens. Revoke one you no longer use before creating another."
        )
    with acting_as(created_by):
        # knox's manager applies REST_KNOX["TOKEN_TTL"] and returns the only copy of the secret.
        token, secret = ApiToken.objects.create(user=user, name=name, created_by=created_by)
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User | None) -> None:
    """Revoke ``token`` at once: knox refuses it from the next request."""
    with acting_as(revoked_by):
        token.delete()
