"""Webhooks end to end: real services record events, a real Celery worker delivers them to a real receiver.

The receiver is down (its port refuses connections) while the events happen and for several retries; then it
comes up. Every event must then arrive exactly once, in order per package, signed so that the reference
Standard Webhooks verifier accepts it; a manual redelivery arrives with the same ``webhook-id``.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection
from django.utils import timezone
from standardwebhooks import Webhook

from brokerage.alerts.services import alerts_raise
from brokerage.models import CarePackage, Offer
from brokerage.services.packages import package_end, package_enter, package_record_care_started
from brokerage.services.responses import offer_accept, package_hand_back
from config.celery import app as celery_app
from contracts.models import AllocationPolicy
from dps import services as dps_services
from homecare.correlation import correlation_id_reset, correlation_id_set
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import OutboxEvent, WebhookAttempt, WebhookDelivery
from homecare.webhooks.services import webhook_redeliver, webhook_subscriber_create
from homecare.webhooks.tasks import deliver_due_webhooks
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import IN_CI
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import make_location, make_open_round
from tests.dps.test_dps import ALL_DECLARATIONS
from tests.factories import make_provider_user
from tests.foundation.celery_worker import RunningWorker, celery_worker
from tests.webhooks.receiver import receiver

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

REDIS_URL = os.environ.get("REDIS_URL", "")


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[RunningWorker]:
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the webhook worker tests on PostgreSQL and Redis")
        pytest.skip("Needs DATABASE_URL (PostgreSQL) and REDIS_URL for a real worker")
    env = {
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": _test_database_url(),
        # Seconds, not minutes, so "down for a while" is several real retries within the test.
        "HOMECARE_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
        "HOMECARE_WEBHOOK_RETRY_MAX_SECONDS": "1",
        "HOMECARE_WEBHOOK_MAX_ATTEMPTS": "1000",
    }
    with celery_worker(env=env, log_dir=tmp_path) as running, running.sending_here():
        yield running


def _offers(package: CarePackage) -> list[Offer]:
    return list(Offer.objects.filter(package=package).order_by("round_number", "rank"))


def _apply_and_decide(officer, provider) -> None:
    user = make_provider_user(provider)
    dps_round = make_open_round(AgreementFactory())
    application = dps_services.application_start(provider_user=user, dps_round=dps_round)
    dps_services.application_save_draft(
        provider_user=user,
        application=application,
        location_ids=[make_location(provider).pk],
        declarations=ALL_DECLARATIONS,
    )
    application = dps_services.application_submit(provider_user=user, application=application)
    dps_services.application_decide(officer=officer, application=application, outcome="appoint", reasons="Meets all.")


def test_every_event_arrives_once_in_order_and_signed_after_the_receiver_was_down(worker, officer):
    market = make_market(policy=AllocationPolicy.RANKED_DPS, providers=3)
    a, b, _c = market.providers
    with receiver(up=False) as hooks:
        subscription = webhook_subscriber_create(name="Mosaic", url=hooks.url, event_kinds=[], created_by=officer)
        start = timezone.localdate() + timedelta(days=3)

        # Package 1: offered to three, awarded to the best, care starts, care ends. Entered under a correlation id,
        # which the brokering task (in the worker) carries into the offers' events.
        token = correlation_id_set("mosaic-ref-4471")
        try:
            first = package_enter(isa=make_isa(market), entered_by=officer, submit=True).package
        finally:
            correlation_id_reset(token)
        worker.wait_until(lambda: len(_offers(first)) == 3, "package 1's offers")
        offer_accept(offer_id=_offers(first)[0].pk, provider_user=make_provider_user(a), start_on=start)
        package_record_care_started(package_id=first.pk, started_on=timezone.localdate(), recorded_by=officer)
        package_end(package_id=first.pk, ended_on=timezone.localdate(), ended_by=officer, reason="Moved away")

        # Package 2: awarded, handed back, offered again (to the other two).
        second = package_enter(isa=make_isa(market), entered_by=officer, submit=True).package
        worker.wait_until(lambda: len(_offers(second)) == 3, "package 2's offers")
        a_user = make_provider_user(a)
        awarded = offer_accept(offer_id=_offers(second)[0].pk, provider_user=a_user, start_on=start)
        package_hand_back(
            offer_id=awarded.pk, provider_user=a_user, effective_on=timezone.localdate() + timedelta(days=7),
            reason="staffing",
        )  # fmt: skip
        worker.wait_until(lambda: len(_offers(second)) == 5, "package 2's second round")

        # Package 3 misses its placement deadline: the CCC alert is an event too.
        third = package_enter(isa=make_isa(market), entered_by=officer, submit=True).package
        worker.wait_until(lambda: len(_offers(third)) == 3, "package 3's offers")
        CarePackage.objects.filter(pk=third.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
        assert len(alerts_raise()) == 1

        _apply_and_decide(officer, b)

        expected_events = OutboxEvent.objects.count()
        assert set(OutboxEvent.objects.values_list("kind", flat=True)) == {
            EventKind.PACKAGE_OFFERED, EventKind.PACKAGE_AWARDED, EventKind.PACKAGE_CARE_STARTED,
            EventKind.PACKAGE_ENDED, EventKind.PACKAGE_HANDED_BACK, EventKind.ALERT_RAISED,
            EventKind.DPS_APPLICATION_DECIDED,
        }  # fmt: skip
        # Down for a while: every stream's first delivery has been refused at least three times.
        heads = OutboxEvent.objects.order_by("ordering_key", "id").distinct("ordering_key").values_list("pk", flat=True)
        # Deliveries of events recorded inside the worker (the offers) were enqueued on the worker's default
        # queue, which this test's worker does not read; beat's sweep finds them, as it would any lost task.
        celery_app.send_task(deliver_due_webhooks.name).get(timeout=60)
        worker.wait_until(
            lambda: all(
                WebhookAttempt.objects.filter(delivery__event_id=pk, status_code__isnull=True).count() >= 3
                for pk in heads
            ),
            "three refused attempts of each package's first event",
        )
        assert hooks.snapshot() == []

        hooks.come_up()
        worker.wait_until(
            lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count() == expected_events,
            "every delivery",
        )
        received = hooks.snapshot()

        # Once each, each verified by the reference implementation with the subscriber's secret.
        verifier = Webhook(subscription.secret)
        documents = [verifier.verify(r.body, r.headers) for r in received]
        ids = [r.headers["webhook-id"] for r in received]
        assert len(ids) == len(set(ids)) == expected_events
        events = {e.message_id: e for e in OutboxEvent.objects.all()}
        assert all(doc["type"] == events[mid].kind for doc, mid in zip(documents, ids, strict=True))
        # In order per package: within each ordering key, the order of recording.
        by_key: dict[str, list[int]] = defaultdict(list)
        for mid in ids:
            by_key[events[mid].ordering_key].append(events[mid].pk)
        assert all(order == sorted(order) for order in by_key.values())
        offered_first = [
            e for e in events.values() if e.ordering_key == f"package:{first.pk}" and e.kind == "package.offered"
        ]
        assert {e.correlation_id for e in offered_first} == {"mosaic-ref-4471"}
        assert {
            r.headers.get("X-Correlation-ID") for r in received if events[r.headers["webhook-id"]] in offered_first
        } == {"mosaic-ref-4471"}
        assert [events[mid].kind for mid in ids if events[mid].ordering_key == f"package:{first.pk}"] == [
            "package.offered", "package.offered", "package.offered",
            "package.awarded", "package.care_started", "package.ended",
        ]  # fmt: skip
        package_two = [doc for doc in documents if doc["data"].get("package", {}).get("id") == second.pk]
        assert [doc["type"] for doc in package_two][3:] == [
            "package.awarded", "package.handed_back", "package.offered", "package.offered",
        ]  # fmt: skip
        assert (
            documents[ids.index(next(m for m in ids if events[m].kind == "alert.raised"))]["data"]["alert"][
                "package_id"
            ]
            == third.pk
        )

        # A replay: the officer sends an awarded event again; it arrives with the webhook-id it had before.
        delivery = WebhookDelivery.objects.get(
            event__kind=EventKind.PACKAGE_AWARDED, event__ordering_key=f"package:{first.pk}"
        )
        webhook_redeliver(delivery_id=delivery.pk, requested_by=officer)
        worker.wait_until(lambda: len(hooks.snapshot()) == expected_events + 1, "the redelivery")
        replay = hooks.snapshot()[-1]
        assert replay.headers["webhook-id"] == delivery.event.message_id
        assert replay.headers["webhook-id"] in ids  # so the receiver can tell it has processed this one
        assert json.loads(replay.body) == documents[ids.index(delivery.event.message_id)]
        verifier.verify(replay.body, replay.headers)
