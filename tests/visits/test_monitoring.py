"""Contract monitoring from the same matching as pay runs, and one CCC alert for a pattern of missed visits."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from brokerage.alerts.models import Alert
from tests.conftest import client_for
from tests.visits.fixtures import make_pay_world, on
from tests.visits.test_pay_run_by_hand import load_actuals
from visits.selectors import contract_monitoring
from visits.services.alerts import missed_visit_alerts_raise

pytestmark = pytest.mark.django_db


def test_monitoring_counts_the_fixture_visits_by_provider_and_area(officer):
    world = make_pay_world(officer)
    load_actuals(world)
    (row,) = contract_monitoring(user=officer, start=date(2026, 3, 2), end=date(2026, 3, 29))
    f = row.figures
    # A: 21 planned visits delivered-days (28 less 7 suspended), B: 4 Wednesdays.
    assert f.planned == 25
    assert (f.missed, f.late, f.fewer_carers) == (1, 1, 1)
    assert f.on_time == 23
    assert f.carers_per_person == 1.5  # A saw carer C1 only; B saw C1 and C2
    page = client_for(officer).get(reverse("commissioning:visits:monitoring") + "?start=2026-03-02")
    assert page.status_code == 200 and world.provider.name.encode() in page.content
    drill = client_for(officer).get(
        reverse("commissioning:visits:provider_monitoring", args=[world.provider.pk]) + "?start=2026-03-02"
    )
    assert drill.status_code == 200 and world.a.reference.encode() in drill.content


def test_two_missed_visits_in_a_week_raise_one_alert_once(officer):
    world = make_pay_world(officer)
    load_actuals(world)  # 3 March missed for A: one miss is not a pattern
    with on(date(2026, 3, 10), hour=9):
        assert missed_visit_alerts_raise(today=date(2026, 3, 10)) == []
        world.a.actual_visits.filter(provider_visit_id="A-0305").delete()  # a second miss, two days later
        (alert,) = missed_visit_alerts_raise(today=date(2026, 3, 10))
    assert alert.kind == Alert.Kind.MISSED_VISITS and alert.package_id == world.a.pk
    assert "2 visits missed" in alert.summary
    with on(date(2026, 3, 11), hour=9):
        assert missed_visit_alerts_raise(today=date(2026, 3, 11)) == []  # the same pattern, a day later
    assert Alert.objects.filter(kind=Alert.Kind.MISSED_VISITS).count() == 1
