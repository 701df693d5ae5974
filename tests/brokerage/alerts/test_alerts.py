"""CCC alerts: raised once per situation, emailed once, acknowledged with an audit record."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.management.base import OutputWrapper
from django.test import Client
from django.urls import reverse

from brokerage.alerts.demo import load_demo_alerts
from brokerage.alerts.models import Alert
from brokerage.alerts.services import alerts_raise
from brokerage.alerts.tasks import raise_alerts
from brokerage.models import Offer
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.brokerage.dashboard.factories import NOW, World, make_offer, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def test_a_package_past_its_deadline_raises_one_alert_however_often_the_task_runs(world: World, ccc_user: User) -> None:
    with time_machine.travel(NOW, tick=False):
        first = raise_alerts()
        second = raise_alerts()

    breaches = Alert.objects.filter(kind=Alert.Kind.DEADLINE_BREACH)
    assert [alert.package for alert in breaches] == [world.packages["P4"]]
    assert first == {"raised": 1, "emailed": 1}
    assert second == {"raised": 0, "emailed": 0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ccc_user.email]
    assert world.packages["P4"].reference in mail.outbox[0].body
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_RAISED).count() == 1


def test_a_provider_letting_three_offers_in_a_row_expire_raises_an_alert(world: World) -> None:
    # Beta Care last answered P6 six days ago; three offers sent since then all expire.
    for package in ("P3", "P5", "P6"):
        make_offer(
            world.packages[package], world.b, Offer.Status.EXPIRED, round_number=2, sent=NOW - timedelta(hours=1)
        )
    with time_machine.travel(NOW, tick=False):
        alerts_raise()
        alerts_raise()

    unresponsive = Alert.objects.filter(kind=Alert.Kind.PROVIDER_UNRESPONSIVE)
    assert [alert.provider for alert in unresponsive] == [world.b]
    assert "3 offers in a row" in unresponsive[0].summary


def test_an_answer_between_expiries_is_not_a_run_of_silence(world: World) -> None:
    # Alpha Care: P2 expired, then answered P4, then one more expiry: never three in a row.
    make_offer(world.packages["P3"], world.a, Offer.Status.EXPIRED, round_number=2, sent=NOW - timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        alerts_raise()

    assert not Alert.objects.filter(kind=Alert.Kind.PROVIDER_UNRESPONSIVE).exists()


def test_ccc_staff_acknowledge_an_alert_and_it_is_audited(world: World, ccc_user: User, ccc_client: Client) -> None:
    with time_machine.travel(NOW, tick=False):
        (alert,) = alerts_raise()
        page = ccc_client.get(reverse("ccc:home"))
        assert alert.summary in page.content.decode()
        response = ccc_client.post(reverse("ccc:brokerage:acknowledge_alert", args=[alert.pk]), {"note": "Phoning"})

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == ccc_user
    assert alert.acknowledgement_note == "Phoning"
    event = AuditEvent.objects.get(action=AuditAction.ALERT_ACKNOWLEDGED)
    assert event.actor == ccc_user
    again = ccc_client.post(reverse("ccc:brokerage:acknowledge_alert", args=[alert.pk]), follow=True)
    assert "acknowledged this alert" in again.content.decode()


def test_acknowledging_needs_a_post_with_a_note_from_ccc_staff(
    world: World, officer_client: Client, ccc_client: Client
) -> None:
    with time_machine.travel(NOW, tick=False):
        (alert,) = alerts_raise()
    url = reverse("ccc:brokerage:acknowledge_alert", args=[alert.pk])
    assert ccc_client.get(url).status_code == 200  # the form: a note and an owner
    assert officer_client.post(url, {"note": "On it"}).status_code == 403
    assert ccc_client.post(url, {"note": " "}).status_code == 400
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_demo_step_raises_the_alerts_once(world: World) -> None:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        load_demo_alerts(stdout=OutputWrapper(out))
        load_demo_alerts(stdout=OutputWrapper(out))
    assert out.getvalue().splitlines() == ["CCC alerts: 1 raised now, 1 open.", "CCC alerts: 0 raised now, 1 open."]
