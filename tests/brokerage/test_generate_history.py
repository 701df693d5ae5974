"""The benchmark history generator: fictional, marked, bulk-inserted, removable, and readable by the dashboard."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from brokerage.dashboard import metrics
from brokerage.dashboard.filters import DashboardFilters
from brokerage.management.commands.generate_history import SOURCE
from brokerage.models import CarePackage, Offer
from providers.models import Provider

pytestmark = pytest.mark.django_db


def test_generated_history_is_marked_as_demo_data_and_feeds_every_figure() -> None:
    call_command("generate_history", packages=300, days=60, verbosity=0)

    packages = CarePackage.objects.filter(source_system=SOURCE)
    assert packages.count() == 300
    assert all(ref.startswith("HIST-") for ref in packages.values_list("external_reference", flat=True))
    assert not Provider.objects.filter(offers__isnull=False, is_demo=False).exists()
    board = metrics.dashboard(DashboardFilters(period="all", now=timezone.now()))
    assert board.offer_totals["made"] == Offer.objects.count() > 300
    assert board.offer_totals["declined"] > 0 and board.offer_totals["expired"] > 0
    assert board.spread.gini is not None and 0 < board.spread.gini < 1
    assert board.times_by_urgency.rows[-1][3].value is not None  # a median time to first response


def test_generating_again_adds_more_and_clear_removes_only_generated_packages() -> None:
    call_command("generate_history", packages=20, verbosity=0)
    call_command("generate_history", packages=30, verbosity=0)
    assert CarePackage.objects.filter(source_system=SOURCE).count() == 50
    call_command("generate_history", packages=0, clear=True, verbosity=0)
    assert not CarePackage.objects.filter(source_system=SOURCE).exists()
