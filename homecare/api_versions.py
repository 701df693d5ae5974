"""API versions: ``/api/v1/`` is the published API; the unversioned ``/api/`` paths stay as aliases for one
release, answered identically but marked deprecated (RFC 9745 ``Deprecation``, RFC 8594 ``Sunset``, and a
``Link`` to the same path under ``/api/v1/``). The schema lists ``/api/v1/`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

CURRENT = "/api/v1/"
LEGACY = "/api/"
# The alias goes in the release after this one; clients have until then to move to /api/v1/.
SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"


def is_legacy(path: str) -> bool:
    return path.startswith(LEGACY) and not path.startswith(CURRENT)


class LegacyApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_legacy(request.path):
            response["Deprecation"] = "true"
            response["Sunset"] = SUNSET
            response["Link"] = f'<{CURRENT}{request.path.removeprefix(LEGACY)}>; rel="successor-version"'
        return response


def only_current_version(endpoints: list[tuple[str, Any, str, Any]], **_: Any) -> list[tuple[str, Any, str, Any]]:
    """drf-spectacular preprocessing hook: publish ``/api/v1/`` only (the aliases are the same operations)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(CURRENT)]
