"""API throttles per signed-in user and per anonymous IP address, answered with 429 and ``Retry-After``.

DRF's own classes read their rates once, at import; these read ``DEFAULT_THROTTLE_RATES`` on each
request, so a rate changed in settings (or by a test) applies at once. The counts live in the
default cache: Redis when ``REDIS_URL`` is set, so every web process shares them.

In Redis a caller's window is a sorted set of its requests' times, checked and counted by one script: one
round trip a request, atomic, so concurrent requests are all counted (DRF's own throttle reads the pickled
list of times, then writes it back: two round trips, the list growing with the rate, and a request counted
between them can be lost). The rule is DRF's: a request is allowed while fewer than the rate's number were
allowed in the last ``duration`` seconds, and a refused one is not counted. Any other cache (a process's
own memory, without Redis) is DRF's own code.

If that cache is unreachable the request is let through and a warning logged: a Redis outage must
not stop referrals being received (they are saved in PostgreSQL; the broker catches up later).
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, cast
from weakref import WeakKeyDictionary

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

if TYPE_CHECKING:  # rest_framework.views imports this module (via its settings): no import cycle at run time.
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

# KEYS[1]: the caller's window. ARGV: now, the window's start (requests at or before it have passed), the number
# allowed, a member naming this request, the window's lifetime in seconds. Returns 1 when the request is allowed
# (and counted), else the window's times (member, score, ...) for Retry-After.
SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return redis.call('ZREVRANGE', KEYS[1], 0, -1, 'WITHSCORES')
"""
WINDOW_SUFFIX = ":window"
_script: list[Script] = []  # registered once per process; run on whichever client the cache gives
_clients: WeakKeyDictionary[RedisCacheClient, Redis] = WeakKeyDictionary()


def _client(cache: RedisCacheClient, key: str) -> Redis:
    """One Redis client per cache, on the cache's own connection pool: Django's cache builds a new client (and
    its 170 response callbacks, about 0.1 ms) for every call."""
    client = _clients.get(cache)
    if client is None:
        client = _clients[cache] = cache.get_client(key, write=True)
    if not _script:
        _script.append(client.register_script(SLIDING_WINDOW))
    return client


class _FailOpen(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope or "")

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            backend = caches[DEFAULT_CACHE_ALIAS]
            if self.rate is not None and isinstance(backend, RedisCache):
                return self._allow_in_redis(request, view, backend)
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("API throttle cache unreachable, request allowed unthrottled: %s", exc)
            return True

    def _allow_in_redis(self, request: Request, view: APIView, backend: RedisCache) -> bool:
        """DRF's ``allow_request`` (see the module) in one round trip; on refusal ``self.history`` is the window's
        times, newest first, as DRF's ``wait`` reads them."""
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        # Its own name, apart from DRF's pickled list under ``self.key``: a list left by a process still running
        # DRF's code (during a deploy) is not a sorted set, and reusing its name would fail every call until it
        # expired.
        key = backend.make_and_validate_key(f"{self.key}{WINDOW_SUFFIX}")
        client = _client(cast(RedisCacheClient, getattr(backend, "_cache")), key)  # noqa: B009 - no public accessor
        allowed, duration = self.parse_rate(self.rate)  # DRF keeps them as attributes its stubs do not declare
        self.now = self.timer()
        answer = _script[0](
            keys=[key],
            args=[repr(self.now), repr(self.now - (duration or 0)), allowed or 0, secrets.token_hex(8), duration or 0],
            client=client,
        )
        if answer == 1:
            return True
        self.history = [float(score) for score in answer[1::2]]
        return self.throttle_failure()


class ApiUserRateThrottle(_FailOpen, UserRateThrottle):
    """Per signed-in user (token or session): ``HOMECARE_API_THROTTLE_USER``."""


class ApiAnonRateThrottle(_FailOpen, AnonRateThrottle):
    """Per IP address of callers who are not signed in: ``HOMECARE_API_THROTTLE_ANON``."""
