"""Officers set up webhook subscribers, rotate their secrets, read the delivery log and send a delivery again."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from homecare.queue import enqueue_suspended
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import WebhookDelivery, WebhookSubscriber
from homecare.webhooks.outbox import event_record

pytestmark = pytest.mark.django_db


def _secret(html: str) -> str:
    start = html.index('data-testid="webhook-secret">') + len('data-testid="webhook-secret">')
    return html[start : html.index("<", start)]


def test_an_officer_sets_up_a_subscriber_and_sees_its_secret_once(officer_client: Any) -> None:
    page = officer_client.get("/commissioning/webhooks/new/")
    assert page.status_code == 200 and b"<h1" in page.content
    made = officer_client.post(
        "/commissioning/webhooks/new/",
        {"name": "Mosaic", "url": "https://mosaic.example.gov.uk/hooks", "event_kinds": ["package.awarded"]},
    )
    secret = _secret(made.content.decode())
    subscriber = WebhookSubscriber.objects.get()
    assert secret.startswith("whsec_") and subscriber.secret == secret
    assert subscriber.event_kinds == ["package.awarded"]
    assert made["Cache-Control"].startswith("max-age=0")
    listing = officer_client.get("/commissioning/webhooks/").content.decode()
    assert "Mosaic" in listing and secret not in listing
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_SUBSCRIBER_CREATED).count() == 1


def test_a_bad_address_is_refused_with_the_field_named(officer_client: Any) -> None:
    refused = officer_client.post("/commissioning/webhooks/new/", {"name": "Mosaic", "url": "not a url"})
    assert refused.status_code == 200 and "Error:" in refused.content.decode()
    assert not WebhookSubscriber.objects.exists()


def test_rotating_shows_a_new_secret_and_the_log_offers_to_send_again(officer_client: Any, officer: Any) -> None:
    officer_client.post("/commissioning/webhooks/new/", {"name": "LAS", "url": "https://las.example.gov.uk/h"})
    subscriber = WebhookSubscriber.objects.get()
    old = subscriber.secret
    rotated = officer_client.post(f"/commissioning/webhooks/{subscriber.pk}/rotate-secret/")
    new = _secret(rotated.content.decode())
    subscriber.refresh_from_db()
    assert new != old and subscriber.secret == new and subscriber.previous_secret == old

    with enqueue_suspended(), transaction.atomic():
        event = event_record(kind=EventKind.PACKAGE_ENDED, ordering_key="package:1", payload={})
    WebhookDelivery.objects.update(status=WebhookDelivery.Status.FAILED, attempts=15, last_error="HTTP 500")
    log = officer_client.get(f"/commissioning/webhooks/{subscriber.pk}/").content.decode()
    assert event.message_id in log and "Send again" in log
    delivery = WebhookDelivery.objects.get()
    officer_client.post(f"/commissioning/webhooks/deliveries/{delivery.pk}/send-again/")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 0
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_DELIVERY_REPLAYED).count() == 1

    officer_client.post(f"/commissioning/webhooks/{subscriber.pk}/deactivate/")
    subscriber.refresh_from_db()
    assert not subscriber.is_active


def test_only_officers_see_the_webhook_pages(provider_client: Any, ccc_client: Any) -> None:
    for client in (provider_client, ccc_client):
        assert client.get("/commissioning/webhooks/").status_code == 403
        assert client.post("/commissioning/webhooks/new/", {"name": "x", "url": "https://x.example"}).status_code == 403
    assert not WebhookSubscriber.objects.exists()
