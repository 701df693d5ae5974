"""Every API list filters and orders through its FilterSet, pages by number or by cursor, under /api/v1/."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brokerage.models import Offer
from contracts.models import FeeRate
from dps import services as dps_services
from providers.models import CqcLocation, Provider
from tests.api.conftest import Seeded
from tests.api.tokens import api_authorization
from tests.contracts.factories import AgreementFactory, FeeRateFactory
from tests.dps.factories import make_location, make_open_round
from tests.dps.test_dps import ALL_DECLARATIONS
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

Row = dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    path: str
    role: str  # officer or provider
    key: str  # the output field the ordering test reads
    ordering: str  # an ordering name that sorts by that field
    filter_param: str
    filter_value: Callable[[Seeded], str]
    keeps: Callable[[Row, Seeded], bool]  # what every row of the filtered list must satisfy


ENDPOINTS = [
    Endpoint("/api/v1/packages/", "officer", "id", "id", "external_reference",
             lambda s: "API-SEED-1", lambda row, s: row["external_reference"] == "API-SEED-1"),
    Endpoint("/api/v1/offers/", "provider", "id", "id", "package",
             lambda s: str(s.packages[0].pk), lambda row, s: row["package"] == s.packages[0].pk),
    Endpoint("/api/v1/providers/", "officer", "id", "id", "q",
             lambda s: "Provider B", lambda row, s: row["name"] == "Provider B Care Ltd"),
    Endpoint("/api/v1/cqc-locations/", "officer", "location_id", "location_id", "provider",
             lambda s: str(s.market.providers[1].pk), lambda row, s: row["provider_id"] == s.market.providers[1].pk),
    Endpoint("/api/v1/agreements/", "officer", "id", "id", "allocation_policy",
             lambda s: "sequential_cascade", lambda row, s: row["allocation_policy"] == "sequential_cascade"),
    Endpoint("/api/v1/memberships/", "officer", "id", "id", "provider",
             lambda s: str(s.market.providers[2].pk), lambda row, s: row["provider"] == s.market.providers[2].pk),
    Endpoint("/api/v1/fee-rates/", "officer", "id", "id", "agreement",
             lambda s: str(s.market.agreement.pk), lambda row, s: row["agreement"] == s.market.agreement.pk),
    Endpoint("/api/v1/dps-rounds/", "officer", "id", "id", "agreement",
             lambda s: str(s.market.agreement.pk), lambda row, s: row["agreement"] == s.market.agreement.pk),
    Endpoint("/api/v1/dps-applications/", "officer", "id", "id", "provider",
             lambda s: str(s.market.providers[0].pk), lambda row, s: row["provider"] == s.market.providers[0].pk),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _no_settling(settings: Any) -> None:
    """Rows are held back from cursor pages while they settle; these tests read rows written a moment ago."""
    settings.HOMECARE_API_POLL_SETTLE_SECONDS = 0


@pytest.fixture
def world(seeded: Seeded) -> Seeded:
    """The seeded market, plus a second agreement, fee rates, DPS rounds and two submitted applications."""
    FeeRateFactory(agreement=AgreementFactory(allocation_policy="sequential_cascade"))
    FeeRateFactory(agreement=seeded.market.agreement, service_type="night_sitting")
    make_open_round(seeded.market.agreement, number=7)
    for provider in seeded.market.providers[:2]:
        user = make_provider_user(provider)
        dps_round = make_open_round(AgreementFactory())
        application = dps_services.application_start(provider_user=user, dps_round=dps_round)
        dps_services.application_save_draft(
            provider_user=user,
            application=application,
            location_ids=[make_location(provider).pk],
            declarations=ALL_DECLARATIONS,
        )
        dps_services.application_submit(provider_user=user, application=application)
    return seeded


def _client(world: Seeded, role: str) -> APIClient:
    client = APIClient()
    user = world.officer if role == "officer" else world.provider_user
    client.credentials(HTTP_AUTHORIZATION=api_authorization(user)["Authorization"])
    return client


def _rows(client: APIClient, path: str, **params: Any) -> list[Row]:
    response = client.get(path, {"page_size": 200, **params})
    assert response.status_code == 200, response.content[:500]
    results: list[Row] = response.json()["results"]
    return results


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.path)
def test_every_list_filters_orders_and_polls_through_its_filterset(endpoint: Endpoint, world: Seeded) -> None:
    client = _client(world, endpoint.role)
    everything = _rows(client, endpoint.path)
    assert len(everything) >= 2, "the world needs two rows to tell an order"

    ascending = [row[endpoint.key] for row in _rows(client, endpoint.path, ordering=endpoint.ordering)]
    descending = [row[endpoint.key] for row in _rows(client, endpoint.path, ordering=f"-{endpoint.ordering}")]
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)
    assert len(set(ascending)) == len(ascending) == len(everything)

    kept = _rows(client, endpoint.path, **{endpoint.filter_param: endpoint.filter_value(world)})
    assert kept and len(kept) < len(everything)
    assert all(endpoint.keeps(row, world) for row in kept)

    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert _rows(client, endpoint.path, updated_since=tomorrow) == []
    assert len(_rows(client, endpoint.path, updated_since="2000-01-01T00:00:00Z")) == len(everything)

    refused = client.get(endpoint.path, {"ordering": "no_such_field"})
    assert refused.status_code == 400
    assert {error["attr"] for error in refused.json()["errors"]} == {"ordering"}


def test_the_unversioned_paths_answer_the_same_and_say_they_are_deprecated(world: Seeded) -> None:
    client = _client(world, "officer")
    old, new = client.get("/api/packages/"), client.get("/api/v1/packages/")
    assert old.status_code == new.status_code == 200
    assert old.json()["results"] == new.json()["results"]
    assert old["Deprecation"] == "true" and old["Sunset"]
    assert old["Link"] == '</api/v1/packages/>; rel="successor-version"'
    assert "Deprecation" not in new


def test_page_size_is_limited_and_a_made_up_cursor_is_refused(world: Seeded) -> None:
    client = _client(world, "officer")
    assert len(client.get("/api/v1/packages/", {"page_size": 2}).json()["results"]) == 2
    for bad in ("0", "201", "many"):
        refused = client.get("/api/v1/packages/", {"page_size": bad})
        assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "page_size"
    for cursor in ("nonsense", "eyJ0IjoiMjAyNiJ9", "e30", "x" * 300):
        refused = client.get("/api/v1/packages/", {"cursor": cursor})
        assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "cursor"
    polling: dict[str, str] = {"cursor": "", "updated_since": "2000-01-01T00:00:00Z", "ordering": "id"}
    refused = client.get("/api/v1/packages/", polling)
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "ordering"


def test_a_cursor_page_lists_in_order_of_change_and_resumes_after_its_last_row(world: Seeded) -> None:
    client = _client(world, "officer")
    first = client.get("/api/v1/packages/", {"updated_since": "2000-01-01T00:00:00Z", "page_size": "2"}).json()
    assert [row["id"] for row in first["results"]] == [p.pk for p in world.packages[:2]]
    assert first["next"] and first["cursor"] and "count" not in first
    world.packages[0].save(update_fields=["special_requirements"])  # changed again: it moves behind the cursor
    second = client.get("/api/v1/packages/", {"cursor": first["cursor"], "page_size": 2}).json()
    assert [row["id"] for row in second["results"]] == [world.packages[2].pk, world.packages[0].pk]
    third = client.get("/api/v1/packages/", {"cursor": second["cursor"]}).json()
    assert third["results"] == [] and third["cursor"] == second["cursor"] and third["next"] is None


def test_models_the_api_polls_stamp_every_save_even_with_update_fields(world: Seeded) -> None:
    for row in (Offer.objects.first(), Provider.objects.first(), CqcLocation.objects.first(), FeeRate.objects.first()):
        assert row is not None
        before = row.updated_at
        row.save(update_fields=[next(f.name for f in row._meta.concrete_fields if not f.primary_key)])
        row.refresh_from_db()
        assert row.updated_at > before


def test_a_time_with_an_offset_no_clock_has_is_refused_and_any_real_offset_is_compared_in_utc(world: Seeded) -> None:
    client = _client(world, "officer")
    for bad in ("1024-03-10T02:25:39-21:07", "0170-02-16T22:02:45+19:07", "0001-01-01T00:00:00+14:00"):
        refused = client.get("/api/v1/packages/", {"updated_since": bad})
        assert refused.status_code == 400, (bad, refused.content[:300])
        assert refused.json()["errors"][0]["attr"] == "updated_since"
    everything = _rows(client, "/api/v1/packages/")
    assert len(_rows(client, "/api/v1/packages/", updated_since="2000-01-01T00:00:00+14:00")) == len(everything)
    assert len(_rows(client, "/api/v1/packages/", updated_since="0001-01-01T00:00:00Z")) == len(everything)
    later = (timezone.now() + timedelta(hours=2)).astimezone(timezone.get_fixed_timezone(-12 * 60)).isoformat()
    assert _rows(client, "/api/v1/packages/", updated_since=later) == []
    forged = base64.urlsafe_b64encode(b'{"t":"2026-01-01T00:00:00+19:07","id":1}').decode().rstrip("=")
    refused = client.get("/api/v1/packages/", {"cursor": forged})
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "cursor"
