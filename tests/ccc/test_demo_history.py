"""The demo's brokerage history is made by the real engine and services, so it leaves the same trail as real use."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management.base import OutputWrapper
from django.utils import timezone

from brokerage.dashboard import demo_history, metrics
from brokerage.dashboard.filters import DashboardFilters
from brokerage.models import AllocationRun, CarePackage, Offer, OfferStatusChange, PackageStatusChange
from homecare.audit.models import AuditEvent
from providers.models import CqcLocation
from tests.brokerage.factories import make_market

pytestmark = pytest.mark.django_db


def test_simulated_history_goes_through_the_services_and_fills_the_dashboard(
    monkeypatch: pytest.MonkeyPatch, officer: User, ccc_user: User
) -> None:
    monkeypatch.setattr(demo_history, "DAYS", 8)
    market = make_market(providers=4)
    CqcLocation.objects.update(locality_area=market.area)
    simulation = demo_history.Simulation(
        agreement=market.agreement, now=timezone.now(), stdout=OutputWrapper(io.StringIO())
    )

    assert simulation.prepare_providers() == 4
    referrals = simulation.schedule_referrals(simulation.postcodes())
    simulation.run()

    packages = CarePackage.objects.filter(source_system=demo_history.SOURCE)
    assert referrals >= packages.count() > 0
    # Every package was ranked by the engine and every change left its history and audit trail.
    assert AllocationRun.objects.filter(package__in=packages).values("package").distinct().count() == packages.count()
    assert PackageStatusChange.objects.filter(package__in=packages).count() >= 2 * packages.count()
    offers = Offer.objects.filter(package__in=packages)
    assert offers.exists()
    assert OfferStatusChange.objects.filter(offer__in=offers).count() >= offers.count()
    assert AuditEvent.objects.filter(action="package.brokering").count() >= packages.count()
    assert packages.filter(awarded_at__isnull=False).exists()
    board = metrics.dashboard(DashboardFilters(period="all", now=timezone.now()))
    assert board.offer_totals["made"] == offers.count()
    assert board.spread.hours_awarded > 0
