"""System-to-system sign-in: OAuth2 client credentials (django-oauth-toolkit), beside people's own API tokens.

An administrator registers each system as an OAuth2 application (*Django OAuth Toolkit > Applications*:
confidential, grant "client credentials") owned by a system account: a user in the audience the system acts
for (officers for Mosaic, a provider's staff for its rostering system). The system posts its client id and
secret to ``/o/token/`` for an access token (an hour), and sends ``Authorization: Bearer <token>``. It then acts
as the application's owner, within the token's scopes:

- ``read``: every GET of the API;
- ``referrals``: post referrals (``POST /api/v1/packages/``);
- ``offers``: accept and decline offers (``POST /api/v1/offers/<id>/accept/`` and ``decline/``).

The scopes and their descriptions are ``OAUTH2_PROVIDER["SCOPES"]`` in the settings.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework.authentication import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request

_API = r"^/api/(?:v1/)?"
_WRITES = [
    (re.compile(_API + r"packages/$"), "referrals"),
    (re.compile(_API + r"offers/\d+/(?:accept|decline)/$"), "offers"),
]


def scope_needed(method: str, path: str) -> str | None:
    """The scope a request needs; None when no scope allows it (a write no system may make)."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return "read"
    return next((scope for pattern, scope in _WRITES if pattern.match(path)), None)


class ClientCredentialsAuthentication(OAuth2Authentication):
    """A bearer token from the client-credentials grant acts as its application's owner, within its scopes."""

    def authenticate(self, request: Request) -> tuple[User, Any] | None:
        found = super().authenticate(request)  # type: ignore[no-untyped-call]
        if found is None:
            return None
        user, token = found
        if user is None:  # client credentials: the token has no user of its own
            user = token.application.user if token.application is not None else None
        if user is None or not user.is_active:
            raise AuthenticationFailed("This OAuth2 application has no active system account.")
        needed = scope_needed(request.method or "GET", request.path)
        if needed is None or not token.allow_scopes([needed]):
            raise PermissionDenied(f"This token's scopes do not allow this request (it needs {needed or 'none'}).")
        return user, token


class ClientCredentialsScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "homecare.apitokens.oauth.ClientCredentialsAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "flows": {"clientCredentials": {"tokenUrl": "/o/token/", "scopes": settings.OAUTH2_PROVIDER["SCOPES"]}},
        }
