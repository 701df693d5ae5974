"""The CCC dashboard's contract-monitoring trends: worked out nightly, shown in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import ProviderFactory
from tests.visits.fixtures import make_pay_world
from tests.visits.test_pay_run_by_hand import load_actuals
from visits.models import MonitoringWeek
from visits.services.monitoring_weeks import last_complete_weeks, monitoring_weeks_record

pytestmark = pytest.mark.django_db

AFTER_THE_PERIOD = date(2026, 3, 31)  # a Tuesday: the last complete week is the one from 23 March


def test_the_weekly_counts_add_up_to_the_periods_monitoring_and_a_second_run_changes_nothing(officer):
    world = make_pay_world(officer)
    load_actuals(world)
    monitoring_weeks_record(today=AFTER_THE_PERIOD, weeks=4)
    weeks = list(MonitoringWeek.objects.filter(provider=world.provider).order_by("week_start"))
    assert [w.week_start for w in weeks] == last_complete_weeks(AFTER_THE_PERIOD, 4) == [
        date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23),
    ]  # fmt: skip
    # The same visits as contract monitoring's four weeks (tests/visits/test_monitoring.py): 25 planned.
    assert sum(w.planned for w in weeks) == 25
    assert (sum(w.missed for w in weeks), sum(w.late for w in weeks), sum(w.on_time for w in weeks)) == (1, 1, 23)
    before = list(MonitoringWeek.objects.values_list("week_start", "provider_id", "planned", "missed", "late"))
    monitoring_weeks_record(today=AFTER_THE_PERIOD, weeks=4)
    assert list(MonitoringWeek.objects.values_list("week_start", "provider_id", "planned", "missed", "late")) == before


def test_the_dashboard_shows_the_trend_and_drills_down_to_the_provider(officer, ccc_client):
    world = make_pay_world(officer)
    load_actuals(world)
    monitoring_weeks_record(today=AFTER_THE_PERIOD, weeks=4)
    page = ccc_client.get(reverse("ccc:home")).content.decode()
    assert "Visits delivered: weekly trend" in page
    drill = reverse("ccc_monitoring:provider", args=[world.provider.pk])
    assert f'href="{drill}?start=2026-03-02&amp;weeks=4"' in page
    response = ccc_client.get(drill, {"start": "2026-03-02", "weeks": "4"})
    assert response.status_code == 200
    body = response.content.decode()
    assert world.a.reference in body and reverse("ccc:brokerage:package", args=[world.a.pk]) in body
    assert client_for(officer).get(drill).status_code == 403  # the CCC's page; officers have their own


def _weeks_for(providers: int) -> None:
    now = timezone.now()
    MonitoringWeek.objects.bulk_create(
        MonitoringWeek(
            week_start=date(2026, 3, 2) + timedelta(days=7 * week), provider=ProviderFactory(),
            planned=100, on_time=90, late=5, missed=3, short=2, computed_at=now,
        )
        for week in range(8)
        for _ in range(providers)
    )  # fmt: skip


def test_the_trends_panel_makes_as_many_queries_for_many_providers_as_for_one(ccc_client):
    _weeks_for(1)
    with CaptureQueriesContext(connection) as small:
        assert ccc_client.get(reverse("ccc:home")).status_code == 200
    _weeks_for(40)
    with CaptureQueriesContext(connection) as large:
        page = ccc_client.get(reverse("ccc:home")).content.decode()
    assert "90.0%" in page  # every week's on-time share, across all providers
    assert len(large.captured_queries) == len(small.captured_queries)
