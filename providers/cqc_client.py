"""A small, polite client for CQC's public API (https://api.service.cqc.org.uk/public/v1).

* The subscription key goes in the ``Ocp-Apim-Subscription-Key`` header.
* Requests are spaced at least ``min_interval`` seconds apart (CQC asks for reasonable use).
* 429 and 5xx responses, and connection errors, are retried with exponential backoff, honouring a
  ``Retry-After`` header; after ``max_attempts`` the last error is raised, never swallowed.
* List endpoints are paged (``page``/``perPage``/``totalPages``) and read to the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class CqcApiError(RuntimeError):
    """CQC's API refused or failed a request; the message names the URL and status."""


class CqcApiClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        session: requests.Session | None = None,
        min_interval: float = 0.2,
        max_attempts: int = 5,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = (base_url or settings.CQC_API_BASE_URL).rstrip("/")
        key = api_key if api_key is not None else settings.CQC_API_KEY
        self.session = session or requests.Session()
        if key:
            self.session.headers["Ocp-Apim-Subscription-Key"] = key
        self.session.headers.setdefault("User-Agent", "homecare-brokerage (open source; council commissioning)")
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._last_request_at: float | None = None

    def _wait_politely(self) -> None:
        if self._last_request_at is not None:
            wait = self.min_interval - (self._clock() - self._last_request_at)
            if wait > 0:
                self._sleep(wait)
        self._last_request_at = self._clock()

    def _retry_delay(self, attempt: int, response: requests.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return float(retry_after)
        return float(self.backoff * 2 ** (attempt - 1))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET a path (or a full URL CQC gave us) and return its JSON body, retrying transient failures."""
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        for attempt in range(1, self.max_attempts + 1):
            self._wait_politely()
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as problem:
                if attempt == self.max_attempts:
                    raise CqcApiError(f"CQC API unreachable at {url} after {attempt} attempts: {problem}") from problem
                self._sleep(self._retry_delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                self._sleep(self._retry_delay(attempt, response))
                continue
            if response.status_code != 200:
                raise CqcApiError(f"CQC API answered {response.status_code} for {response.url}.")
            body = response.json()
            if not isinstance(body, dict):
                raise CqcApiError(f"CQC API returned a {type(body).__name__}, not an object, for {response.url}.")
            return body
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _pages(self, path: str, params: Mapping[str, Any], items_key: str) -> Iterator[Any]:
        page = 1
        while True:
            body = self.get_json(path, {**params, "page": page})
            yield from body.get(items_key) or []
            total_pages = int(body.get("totalPages") or 1)
            if page >= total_pages:
                return
            page += 1

    def get_location(self, location_id: str) -> dict[str, Any]:
        return self.get_json(f"locations/{location_id}")

    def get_provider(self, provider_id: str) -> dict[str, Any]:
        return self.get_json(f"providers/{provider_id}")

    def iter_locations(self, *, per_page: int = 1000, **filters: str) -> Iterator[dict[str, Any]]:
        """Summaries (``locationId``, ``locationName``, ``postalCode``) from ``/locations``, every page.

        Filters are CQC's own query parameters, e.g. ``localAuthority="Leeds"``.
        """
        yield from self._pages("locations", {**filters, "perPage": per_page}, "locations")

    def iter_changed_location_ids(self, *, start: datetime, end: datetime, per_page: int = 1000) -> Iterator[str]:
        """Location ids CQC changed between two times, from ``/changes/location``."""
        params = {
            "startTimestamp": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endTimestamp": end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "perPage": per_page,
        }
        for change in self._pages("changes/location", params, "changes"):
            yield change if isinstance(change, str) else str(change["locationId"])
