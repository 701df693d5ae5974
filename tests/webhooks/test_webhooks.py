"""Webhook rules, driven through the delivery service directly against a real local receiver."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from standardwebhooks import Webhook

from homecare.correlation import HEADER, CorrelationIdFilter, correlation_id
from homecare.queue import enqueue_suspended
from homecare.webhooks.delivery import webhook_deliver
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import OutboxEvent, WebhookAttempt, WebhookDelivery
from homecare.webhooks.outbox import event_record
from homecare.webhooks.services import (
    webhook_redeliver,
    webhook_secret_rotate,
    webhook_subscriber_create,
    webhook_subscriber_deactivate,
)
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db


def _record(
    kind: EventKind = EventKind.PACKAGE_AWARDED, key: str = "package:1", provider_id: int | None = None
) -> OutboxEvent:
    from homecare.webhooks.outbox import event_record

    with enqueue_suspended(), transaction.atomic():
        return event_record(kind=kind, ordering_key=key, payload={"package": {"id": 1}}, provider_id=provider_id)


@pytest.mark.django_db(transaction=True)  # no test transaction around it: "outside a transaction" is real here
def test_an_event_commits_with_its_change_or_not_at_all(officer: Any) -> None:
    webhook_subscriber_create(name="Mosaic", url="http://127.0.0.1:9/", event_kinds=[], created_by=officer)
    with pytest.raises(ZeroDivisionError), enqueue_suspended(), transaction.atomic():
        event_record(kind=EventKind.PACKAGE_ENDED, ordering_key="package:1", payload={})
        _ = 1 / 0  # the change fails after the event was written
    assert not OutboxEvent.objects.exists() and not WebhookDelivery.objects.exists()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_record(kind=EventKind.PACKAGE_ENDED, ordering_key="package:1", payload={})


def test_a_providers_own_subscriber_gets_only_events_about_that_provider(officer: Any) -> None:
    council = webhook_subscriber_create(name="Mosaic", url="http://127.0.0.1:9/", event_kinds=[], created_by=officer)
    roster = webhook_subscriber_create(
        name="Aire rostering", url="http://127.0.0.1:9/", event_kinds=["package.offered"], created_by=officer,
        provider_id=7,
    )  # fmt: skip
    mine, theirs = _record(EventKind.PACKAGE_OFFERED, provider_id=7), _record(EventKind.PACKAGE_OFFERED, provider_id=8)
    alert = _record(EventKind.ALERT_RAISED)
    awarded_to_me = _record(EventKind.PACKAGE_AWARDED, provider_id=7)  # a kind it did not ask for
    assert set(WebhookDelivery.objects.filter(subscriber=roster.subscriber).values_list("event", flat=True)) == {
        mine.pk
    }
    assert WebhookDelivery.objects.filter(subscriber=council.subscriber).count() == 4
    assert {theirs.pk, alert.pk, awarded_to_me.pk} <= set(
        WebhookDelivery.objects.filter(subscriber=council.subscriber).values_list("event", flat=True)
    )


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(officer: Any) -> None:
    with receiver() as hooks:
        made = webhook_subscriber_create(name="Mosaic", url=hooks.url, event_kinds=[], created_by=officer)
        rotated = webhook_secret_rotate(subscriber_id=made.subscriber.pk, rotated_by=officer)
        _record()
        assert webhook_deliver(delivery_id=WebhookDelivery.objects.get().pk).delivered
        (sent,) = hooks.snapshot()
    assert len(sent.headers["webhook-signature"].split(" ")) == 2
    Webhook(made.secret).verify(sent.body, sent.headers)  # the receiver not yet switched over
    Webhook(rotated.secret).verify(sent.body, sent.headers)
    subscriber = rotated.subscriber
    subscriber.previous_secret_until = timezone.now() - timedelta(seconds=1)
    subscriber.save(update_fields=["previous_secret_until"])
    with receiver() as hooks:
        subscriber.url = hooks.url
        subscriber.save(update_fields=["url"])
        _record(key="package:2")
        webhook_deliver(delivery_id=WebhookDelivery.objects.get(event__ordering_key="package:2").pk)
        (later,) = hooks.snapshot()
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    Webhook(rotated.secret).verify(later.body, later.headers)


def test_retries_back_off_exponentially_then_give_up_and_let_the_package_stream_move_on(
    officer: Any, settings: Any
) -> None:
    settings.HOMECARE_WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.HOMECARE_WEBHOOK_RETRY_MAX_SECONDS = 100
    settings.HOMECARE_WEBHOOK_MAX_ATTEMPTS = 4
    with receiver(up=False) as hooks:
        webhook_subscriber_create(name="Mosaic", url=hooks.url, event_kinds=[], created_by=officer)
        first, second = _record(), _record()
        head = WebhookDelivery.objects.get(event=first)
        follower = WebhookDelivery.objects.get(event=second)
        assert webhook_deliver(delivery_id=follower.pk).retry_in is None  # waits for the package's earlier event
        assert WebhookAttempt.objects.count() == 0
        waits = []
        for _ in range(4):
            WebhookDelivery.objects.filter(pk=head.pk).update(next_attempt_at=timezone.now())  # the wait has passed
            outcome = webhook_deliver(delivery_id=head.pk)
            waits.append(outcome.retry_in)
        assert waits == [30, 60, 100, None]
        head.refresh_from_db()
        assert head.status == WebhookDelivery.Status.FAILED and head.attempts == 4
        assert outcome.next_delivery_id == follower.pk  # given up: the next event of the package may go
        assert all(a.status_code is None and "ConnectionError" in a.error for a in WebhookAttempt.objects.all())

        hooks.come_up()
        assert webhook_deliver(delivery_id=follower.pk).delivered
        redelivered = webhook_redeliver(delivery_id=head.pk, requested_by=officer)
        assert webhook_deliver(delivery_id=redelivered.pk).delivered
        ids = [r.headers["webhook-id"] for r in hooks.snapshot()]
    assert ids == [second.message_id, first.message_id]


def test_a_deactivated_subscriber_gets_nothing_more(officer: Any) -> None:
    made = webhook_subscriber_create(name="Mosaic", url="http://127.0.0.1:9/", event_kinds=[], created_by=officer)
    _record()
    webhook_subscriber_deactivate(subscriber_id=made.subscriber.pk, deactivated_by=officer)
    _record(key="package:2")
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed"]


def test_every_request_carries_a_correlation_id_into_its_events_and_log_lines(officer: Any) -> None:
    client = Client()
    given = client.get("/accounts/sign-in/", headers={HEADER: "mosaic-4471"})
    assert given[HEADER] == "mosaic-4471"
    made_up = client.get("/accounts/sign-in/", headers={HEADER: "<script>"})
    assert made_up[HEADER] != "<script>" and len(made_up[HEADER]) == 32
    assert client.get("/accounts/sign-in/")[HEADER] != made_up[HEADER]

    from homecare.correlation import correlation_id_reset, correlation_id_set

    token = correlation_id_set("mosaic-4471")
    try:
        event = _record()
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
        assert CorrelationIdFilter().filter(record) and record.correlation_id == "mosaic-4471"  # type: ignore[attr-defined]
    finally:
        correlation_id_reset(token)
    assert event.correlation_id == "mosaic-4471" and correlation_id() == ""
