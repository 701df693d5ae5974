"""The CQC API client, replaying CQC's real responses with `responses`: the network is never touched."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import responses

from providers.cqc_client import CqcApiClient, CqcApiError
from tests.realdata import shared_data_file

BASE = "https://cqc.test/public/v1"


def real_sample(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(shared_data_file("cqc", "api_samples", name).read_text(encoding="utf-8")))


class FakeTime:
    """A clock and sleep that record waits instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(fake: FakeTime, **kwargs) -> CqcApiClient:
    return CqcApiClient(base_url=BASE, api_key="test-key", sleep=fake.sleep, clock=fake.clock, **kwargs)


@pytest.mark.realdata
@responses.activate
def test_a_location_is_fetched_with_the_subscription_key_header():
    sample = real_sample("location_homecare_outstanding_1-530528300.json")
    responses.get(f"{BASE}/locations/1-530528300", json=sample)
    body = make_client(FakeTime()).get_location("1-530528300")
    assert body["name"] == sample["name"]
    assert responses.calls[0].request.headers["Ocp-Apim-Subscription-Key"] == "test-key"


@pytest.mark.realdata
@responses.activate
def test_location_lists_are_read_page_by_page_to_the_end():
    page = real_sample("locations_list_page_first25.json")
    first, second = page["locations"][:15], page["locations"][15:]
    responses.get(
        f"{BASE}/locations",
        match=[responses.matchers.query_param_matcher({"localAuthority": "Oldham", "perPage": "15", "page": "1"})],
        json={**page, "perPage": 15, "totalPages": 2, "locations": first},
    )
    responses.get(
        f"{BASE}/locations",
        match=[responses.matchers.query_param_matcher({"localAuthority": "Oldham", "perPage": "15", "page": "2"})],
        json={**page, "page": 2, "perPage": 15, "totalPages": 2, "locations": second},
    )
    ids = [s["locationId"] for s in make_client(FakeTime()).iter_locations(localAuthority="Oldham", per_page=15)]
    assert ids == [s["locationId"] for s in page["locations"]]
    assert len(ids) == 25


@responses.activate
def test_429_and_5xx_are_retried_with_backoff_honouring_retry_after():
    url = f"{BASE}/providers/1-101611810"
    responses.get(url, status=429, headers={"Retry-After": "7"})
    responses.get(url, status=503)
    responses.get(url, json={"providerId": "1-101611810", "name": "Guinness Northern Counties Limited"})
    fake = FakeTime()
    body = make_client(fake, backoff=2.0, min_interval=0).get_provider("1-101611810")
    assert body["name"] == "Guinness Northern Counties Limited"
    # 7 s as CQC asked, then exponential backoff for the second attempt (2 * 2**1).
    assert fake.sleeps == [7.0, 4.0]


@responses.activate
def test_a_failure_that_persists_is_raised_not_swallowed():
    responses.get(f"{BASE}/locations/1-1", status=500)
    fake = FakeTime()
    with pytest.raises(CqcApiError, match="CQC API answered 500"):
        make_client(fake, max_attempts=3, backoff=1.0, min_interval=0).get_location("1-1")
    assert len(responses.calls) == 3
    assert fake.sleeps == [1.0, 2.0]


@responses.activate
def test_a_client_error_is_not_retried():
    responses.get(f"{BASE}/locations/1-1", status=404)
    with pytest.raises(CqcApiError, match="404"):
        make_client(FakeTime()).get_location("1-1")
    assert len(responses.calls) == 1


@responses.activate
def test_requests_are_spaced_by_the_polite_minimum_interval():
    responses.get(re.compile(f"{BASE}/locations/.*"), json={"locationId": "x", "providerId": "y"})
    fake = FakeTime()
    client = make_client(fake, min_interval=0.5)
    client.get_location("1-1")
    fake.now += 0.2  # some work between calls
    client.get_location("1-2")
    client.get_location("1-3")
    assert fake.sleeps == pytest.approx([0.3, 0.5])


@responses.activate
def test_the_change_feed_is_asked_for_a_utc_window_and_read_across_pages():
    responses.get(
        f"{BASE}/changes/location",
        match=[
            responses.matchers.query_param_matcher(
                {
                    "startTimestamp": "2025-03-12T00:00:00Z",
                    "endTimestamp": "2025-03-13T00:00:00Z",
                    "perPage": "1000",
                    "page": "1",
                }
            )
        ],
        json={"total": 3, "page": 1, "totalPages": 2, "changes": ["1-530528300", "1-19666435449"]},
    )
    responses.get(
        f"{BASE}/changes/location", json={"total": 3, "page": 2, "totalPages": 2, "changes": ["1-10024040008"]}
    )
    ids = list(
        make_client(FakeTime()).iter_changed_location_ids(
            start=datetime(2025, 3, 12, tzinfo=UTC), end=datetime(2025, 3, 13, tzinfo=UTC)
        )
    )
    assert ids == ["1-530528300", "1-19666435449", "1-10024040008"]
