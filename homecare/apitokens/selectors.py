"""Read API tokens, each person only ever their own."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from homecare.apitokens.models import ApiToken


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first (knox deletes expired ones when it meets them)."""
    return ApiToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gte=timezone.now()), user=user)


def api_token_get_for_user(*, token_id: int, user: User) -> ApiToken:
    """One of the user's own tokens; someone else's is a 404, exactly like one that does not exist."""
    return get_object_or_404(api_tokens_for_user(user=user), pk=token_id)
