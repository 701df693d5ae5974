"""The daily rollups the triggers keep equal a computation from scratch, and the dashboard read from them
equals the dashboard computed from the rows, over a varied history: ten areas, every urgency, a hundred
providers, every outcome and decline reason, irregular waits, and days on both sides of the clock changes
(British Summer Time and GMT), then changed through ordinary writes (saves, queryset updates, deletes)."""

from __future__ import annotations

import os
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerage.dashboard import metrics, rollups
from brokerage.dashboard.filters import PERIODS, DashboardFilters
from brokerage.models import CarePackage, DeclineReason, HandBack, Offer
from providers.models import LocalityArea
from tests.brokerage.dashboard.factories import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must check the dashboard's rollups on PostgreSQL (set DATABASE_URL).")
        pytest.skip("The rollups are kept by PostgreSQL triggers; set DATABASE_URL to PostgreSQL.")


def _history(packages: int, *, seed: int) -> None:
    """Generated history (its rollups rebuilt in bulk), then ordinary writes that the triggers must count."""
    call_command("generate_history", packages=packages, days=400, seed=seed, verbosity=0)
    rng = random.Random(seed)
    areas = list(LocalityArea.objects.all())
    generated = list(CarePackage.objects.order_by("pk"))
    for package in rng.sample(generated, k=len(generated) // 10):
        package.locality_area = rng.choice([*areas, None])
        package.hours_per_week = Decimal(rng.choice([2.5, 9, 31.25]))
        package.save()
    pending = Offer.objects.filter(status=Offer.Status.PENDING)
    pending.filter(pk__in=[o.pk for o in pending[:3]]).update(status=Offer.Status.ACCEPTED)
    for offer in Offer.objects.filter(status=Offer.Status.EXPIRED).order_by("pk")[:20]:
        offer.status = Offer.Status.DECLINED
        offer.decline_reason = rng.choice(DeclineReason.values)
        offer.responded_at = offer.sent_at + timedelta(minutes=rng.randint(1, 3000))
        offer.save()
    CarePackage.objects.filter(status=CarePackage.Status.UNPLACED).update(status=CarePackage.Status.CANCELLED)
    for package in generated[:5]:
        package.delete()  # its offers and hand-backs go first, as Django deletes them
    awarded = list(Offer.objects.filter(status=Offer.Status.AWARDED).order_by("pk")[:10])
    HandBack.objects.bulk_create(
        HandBack(
            package_id=offer.package_id,
            provider_id=offer.provider_id,
            offer=offer,
            round_number=1,
            notice_given_at=NOW - timedelta(days=rng.uniform(0, 200)),
            effective_on=NOW.date(),
            reason=rng.choice(HandBack.Reason.values),
        )
        for offer in awarded
    )
    HandBack.objects.filter(pk=HandBack.objects.order_by("pk").values("pk")[:1]).delete()


def _board(filters: DashboardFilters) -> tuple[object, ...]:
    board = metrics.dashboard(filters)
    spread = board.spread
    return board.tables(), board.offer_totals, board.hand_back_total, spread.gini, spread.top_share, spread.chart


def test_the_rollups_equal_a_computation_from_scratch_and_the_dashboard_equals_the_rows() -> None:
    _history(900, seed=3)
    differences = rollups.differences()
    assert {rollup.weekly for rollup in rollups.ROLLUPS if rollup.weekly} <= differences.keys()
    assert {table: rows for table, rows in differences.items() if rows} == {}
    area = LocalityArea.objects.order_by("pk")[2]
    agreement_id = CarePackage.objects.values_list("agreement_id", flat=True).first()
    # Now at midday and at 00:30 on a day of BST, so the period's part days are both long and short; on a
    # Monday (NOW: the week so far is the part day alone) and late on a Sunday (the week is all but whole).
    for now in (NOW, NOW - timedelta(days=180, hours=11, minutes=30), NOW - timedelta(hours=12, minutes=30)):
        for period in PERIODS:
            for area_id, agreement in ((None, None), (area.pk, None), (None, agreement_id), (area.pk, agreement_id)):
                filters = DashboardFilters(period=period, now=now, area_id=area_id, agreement_id=agreement)
                with rollups.from_rows():
                    expected = _board(filters)
                assert _board(filters) == expected, (now, period, area_id, agreement)


def test_the_dashboard_makes_the_same_number_of_queries_from_the_rollups_whatever_the_history() -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            metrics.dashboard(DashboardFilters(period="all", now=timezone.now()))
        return len(captured.captured_queries)

    # Enough packages that some are still waiting (the waiting list's page is read only when it has rows).
    call_command("generate_history", packages=300, seed=1, verbosity=0)
    assert CarePackage.objects.filter(status__in=CarePackage.OPEN_STATUSES).exists()
    small = queries()
    call_command("generate_history", packages=1500, seed=2, verbosity=0)
    assert rollups.in_use()
    assert queries() == small


def test_a_bulk_load_analyses_the_tables_it_wrote_so_the_planner_knows_their_size() -> None:
    call_command("generate_history", packages=200, days=30, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
            [["brokerage_offer", "brokerage_carepackage"]],
        )
        estimated = dict(cursor.fetchall())
    # Small tables are read whole by ANALYZE, so the estimates are the counts (never analysed: -1).
    assert estimated == {"brokerage_offer": Offer.objects.count(), "brokerage_carepackage": CarePackage.objects.count()}
    assert set(rollups.loaded_tables()) >= {"brokerage_offer", "brokerage_carepackage", "brokerage_handback"}
