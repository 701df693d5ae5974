"""API throttles per signed-in user and per anonymous IP address, answered with 429 and ``Retry-After``.

DRF's own classes read their rates once, at import; these read ``DEFAULT_THROTTLE_RATES`` on each
request, so a rate changed in settings (or by a test) applies at once. The counts live in the
default cache: Redis when ``REDIS_URL`` is set, so every web process shares them.

If that cache is unreachable the request is let through and a warning logged: a Redis outage must
not stop referrals being received (they are saved in PostgreSQL; the broker catches up later).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports this module (via its settings): no import cycle at run time.
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class _FailOpen(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope or "")

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("API throttle cache unreachable, request allowed unthrottled: %s", exc)
            return True


class ApiUserRateThrottle(_FailOpen, UserRateThrottle):
    """Per signed-in user (token or session): ``HOMECARE_API_THROTTLE_USER``."""


class ApiAnonRateThrottle(_FailOpen, AnonRateThrottle):
    """Per IP address of callers who are not signed in: ``HOMECARE_API_THROTTLE_ANON``."""
