"""The hot API endpoints make a fixed number of queries, however many rows a page or a package holds."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from brokerage.isa import VisitData
from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from homecare.queue import enqueue_suspended
from tests.api.conftest import Seeded
from tests.brokerage.factories import make_isa

pytestmark = pytest.mark.django_db

# Authentication is one query: the token, its user, the user's audience groups and provider staff's link to their
# organisation (which the offers lookup reuses). Then a list page is its count, its rows and their visits.
BUDGET = {"/api/v1/offers/": 4, "/api/v1/packages/": 4}
ACCEPT_BUDGET = 15


def _more_packages(seeded: Seeded, count: int, **isa: Any) -> list[CarePackage]:
    made = []
    with enqueue_suspended():
        for number in range(count):
            reference = f"API-MORE-{CarePackage.objects.count()}-{number}"
            package = package_enter(
                isa=make_isa(seeded.market, external_reference=reference, **isa), entered_by=seeded.officer
            )
            package_broker(package_id=package.package.pk)
            made.append(package.package)
    return made


def _queries(client: APIClient, method: str, path: str, **kwargs: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries)


def _client(headers: dict[str, str]) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=headers["Authorization"])
    return client


@pytest.mark.parametrize(("path", "role"), [("/api/v1/offers/", "provider"), ("/api/v1/packages/", "officer")])
def test_a_list_page_costs_the_same_queries_for_3_rows_as_for_30(seeded, headers, path, role):
    client = _client(headers[role])
    client.get(path)  # the token's first use records it (once a minute): not part of every request
    few = _queries(client, "get", path)
    _more_packages(seeded, 27, visits=[VisitData(day, time(8 + hour, 0), time(9 + hour, 0), 45, 1)
                                       for day in range(7) for hour in range(3)])  # fmt: skip
    assert len(client.get(path).json()["results"]) == 30
    assert _queries(client, "get", path) == few <= BUDGET[path]


def test_accepting_costs_the_same_queries_whatever_the_package_holds(seeded, headers):
    client = _client(headers["provider"])
    start_on = (timezone.localdate() + timedelta(days=5)).isoformat()
    client.get("/api/v1/offers/")  # the token's first use records it

    def accept(package: CarePackage) -> int:
        offer = Offer.objects.get(package=package, provider=seeded.market.providers[0])
        return _queries(
            client, "post", f"/api/v1/offers/{offer.pk}/accept/", data={"start_on": start_on}, format="json"
        )

    few = accept(seeded.packages[0])
    [crowded] = _more_packages(seeded, 1, visits=[VisitData(day, time(7 + hour, 0), time(8 + hour, 0), 30, 1)
                                                   for day in range(7) for hour in range(4)])  # fmt: skip
    assert crowded.visits.count() == 28
    assert accept(crowded) == few <= ACCEPT_BUDGET
