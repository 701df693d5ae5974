"""knox's token authentication, also noting when each token was last used."""

from __future__ import annotations

import binascii
from datetime import timedelta
from hmac import compare_digest

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from homecare.accounts.audiences import audiences_loaded, with_audiences
from homecare.apitokens.models import ApiToken
from homecare.compiled_query import CompiledQuery

# Recording every request would add a write to each API call; to the minute is enough to spot
# a token nobody uses any more.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# The tokens sharing a secret's key, with their user's audiences (compiled once: the ORM's compilation of its joins
# and subqueries cost far more than running it).
TOKENS_BY_KEY = CompiledQuery(lambda key: with_audiences(ApiToken.objects.filter(token_key=key), user="user"))


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <secret>``; refuses expired and revoked tokens (knox) and records use."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, ApiToken]:
        """knox's own lookup (the tokens sharing the secret's key, compared by digest), with the user's audiences
        read in the same query (``with_audiences``). Authorisation is read on every request, so a revoked token,
        membership or provider link is refused at once; in one query, not three."""
        refused = AuthenticationFailed("Invalid token.")
        try:
            secret = token.decode("utf-8")
        except UnicodeDecodeError as error:
            raise refused from error  # a client's malformed header, not our fault (knox would answer 500)
        for auth_token in TOKENS_BY_KEY.run(secret[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(secret)
            except (TypeError, binascii.Error) as error:
                raise refused from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                audiences_loaded(auth_token.user, auth_token)
                return self.validate_user(auth_token)
        raise refused

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        """Refuse (and delete) the token itself once expired, as knox does, on every request.

        knox also reads all the user's other tokens on every request, to delete those that have expired; that is
        housekeeping, not a check (an expired token is refused when it is itself presented), so it runs in
        ``validate_user`` only when the token's use is next recorded: at most once a minute per token.
        """
        if auth_token.has_expired():
            return super()._cleanup_token(auth_token)  # deletes it and sends knox's token_expired signal
        return False

    def validate_user(self, auth_token: ApiToken) -> tuple[User, ApiToken]:
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        stale = now - LAST_USED_RESOLUTION
        if token.last_used_at is None or token.last_used_at < stale:
            # A conditional UPDATE: concurrent requests write at most once, and never touch the digest.
            ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=token.pk).update(
                last_used_at=now
            )
            token.last_used_at = now
            super()._cleanup_token(token)  # the user's other expired tokens (this one is live: it stays)
        return user, token
