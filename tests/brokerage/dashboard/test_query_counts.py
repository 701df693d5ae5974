"""The dashboard and the waiting list make the same number of queries for 10 packages as for 1,000."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokerage.models import CarePackage, DeclineReason, HandBack, Offer
from contracts.models import Agreement, Urgency
from providers.models import LocalityArea, Provider
from tests.brokerage.dashboard.factories import NOW
from tests.contracts.factories import AgreementFactory
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

STATUSES = [
    CarePackage.Status.BROKERING,
    CarePackage.Status.UNPLACED,
    CarePackage.Status.AWARDED,
    CarePackage.Status.CARE_STARTED,
    CarePackage.Status.ENDED,
]


def add_history(count: int, *, agreement: Agreement, areas: list[LocalityArea], providers: Sequence[Provider]) -> None:
    """``count`` packages in every state, each with a declined and an awarded or pending offer."""
    packages = []
    for i in range(count):
        submitted = NOW - timedelta(hours=1 + (i % 2000))
        status = STATUSES[i % len(STATUSES)]
        placed = status not in CarePackage.OPEN_STATUSES
        packages.append(
            CarePackage(
                agreement=agreement,
                locality_area=areas[i % len(areas)],
                postcode_district="LS6",
                hours_per_week=Decimal(5 + i % 20),
                requested_start_on=submitted.date(),
                urgency=list(Urgency)[i % 3],
                status=status,
                round_number=1,
                created_at=submitted,
                submitted_at=submitted,
                first_response_at=submitted + timedelta(hours=2),
                awarded_at=submitted + timedelta(hours=5) if placed else None,
                awarded_provider=providers[i % 3] if placed else None,
                care_started_on=submitted.date() + timedelta(days=2) if placed else None,
                deadline_at=submitted + timedelta(hours=48),
            )
        )
    CarePackage.objects.bulk_create(packages)
    offers = []
    for i, package in enumerate(packages):
        assert package.submitted_at is not None
        placed = package.status not in CarePackage.OPEN_STATUSES
        offers.append(
            Offer(
                package=package,
                provider=providers[(i + 1) % 3],
                round_number=1,
                status=Offer.Status.DECLINED,
                sent_at=package.submitted_at,
                responded_at=package.first_response_at,
                decline_reason=DeclineReason.TRAVEL,
                closed_at=package.first_response_at,
            )
        )
        offers.append(
            Offer(
                package=package,
                provider=providers[i % 3],
                round_number=1,
                status=Offer.Status.AWARDED if placed else Offer.Status.PENDING,
                sent_at=package.submitted_at,
                responded_at=package.awarded_at,
                closed_at=package.awarded_at,
            )
        )
    Offer.objects.bulk_create(offers)
    HandBack.objects.bulk_create(
        HandBack(
            package=offer.package,
            provider=offer.provider,
            offer=offer,
            round_number=1,
            notice_given_at=NOW - timedelta(hours=1),
            effective_on=NOW.date(),
            reason=HandBack.Reason.OTHER,
        )
        for offer in offers[1::20]
        if offer.status == Offer.Status.AWARDED
    )


def queries(client: Client, url: str) -> int:
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"period": "all"})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_dashboard_and_waiting_list_query_counts_do_not_grow_with_the_history(ccc_client: Client) -> None:
    agreement = AgreementFactory()
    areas = [LocalityArea.objects.create(name=f"Area {n}", code=f"area-{n}") for n in range(3)]
    providers = [ProviderFactory() for _ in range(3)]
    add_history(10, agreement=agreement, areas=areas, providers=providers)
    small = {url: queries(ccc_client, url) for url in (reverse("ccc:home"), reverse("ccc:brokerage:live"))}

    add_history(990, agreement=agreement, areas=areas, providers=providers)
    assert CarePackage.objects.count() == 1000
    large = {url: queries(ccc_client, url) for url in (reverse("ccc:home"), reverse("ccc:brokerage:live"))}

    assert large == small
    print(f"queries: {small}")
