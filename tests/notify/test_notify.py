"""GOV.UK Notify instead of SMTP: every message the product sends goes through it, an urgent offer also goes by
text message to a provider that opted in, and Notify's delivery-status callback is recorded per notification.

Notify is never called: ``responses`` answers with the response bodies Notify documents (``recorded/``), echoing
the request's reference and giving each notification its own id, as Notify does.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
import responses
from django.core import mail
from django.test import Client

from brokerage.alerts.models import Alert
from brokerage.alerts.services import alert_email
from brokerage.models import Offer, ProviderCapabilities
from brokerage.services.brokering import package_broker
from brokerage.services.notifications import offer_notify, offer_notify_award
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept
from contracts.models import Urgency
from homecare.notify.models import Notification
from homecare.queue import enqueue_suspended
from tests.brokerage.factories import make_isa, make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"
SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
TEMPLATES = {
    "offer_email": str(uuid.uuid4()),
    "award_email": str(uuid.uuid4()),
    "alert_email": str(uuid.uuid4()),
    "message_email": str(uuid.uuid4()),
    "urgent_offer_sms": str(uuid.uuid4()),
}
NOTIFY = "https://api.notifications.service.gov.uk"
CALLBACK_TOKEN = "callback-token-" + "x" * 32


@pytest.fixture
def notify(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "homecare.notify.backend.NotifyEmailBackend"
    settings.HOMECARE_NOTIFY_API_KEY = f"homecare_test-{SERVICE_ID}-{SECRET}"
    settings.HOMECARE_NOTIFY_TEMPLATES = TEMPLATES
    settings.HOMECARE_NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
    with responses.RequestsMock(assert_all_requests_are_fired=False) as recorded:
        for channel in ("email", "sms"):
            body = json.loads((RECORDED / f"{channel}_created.json").read_text())

            def answer(request: Any, body: dict[str, Any] = body) -> tuple[int, dict[str, str], str]:
                sent = json.loads(request.body)
                return 201, {}, json.dumps({**body, "id": str(uuid.uuid4()), "reference": sent.get("reference")})

            recorded.add_callback(responses.POST, f"{NOTIFY}/v2/notifications/{channel}", callback=answer)
        yield recorded


def _sent(recorded: Any, channel: str) -> list[dict[str, Any]]:
    calls = [call for call in recorded.calls if call.request.url.endswith(f"/v2/notifications/{channel}")]
    for call in calls:  # every request is signed as Notify requires: a JWT with our service id, by our secret
        token = call.request.headers["Authorization"].removeprefix("Bearer ")
        assert jwt.decode(token, SECRET, algorithms=["HS256"])["iss"] == SERVICE_ID
    return [json.loads(call.request.body) for call in calls]


def _market_with_offers(officer: Any, urgency: str) -> tuple[Any, list[Offer]]:
    market = make_market(providers=2)
    with enqueue_suspended():
        package = package_enter(isa=make_isa(market, urgency=urgency), entered_by=officer).package
        package_broker(package_id=package.pk)
    return market, list(Offer.objects.filter(package=package).order_by("rank"))


def test_every_email_the_product_sends_goes_through_notify_with_its_own_template(notify, officer, ccc_user):
    market, offers = _market_with_offers(officer, Urgency.ROUTINE)
    staff = make_provider_user(market.providers[0], email="staff@aire.example.org")
    assert offer_notify(offer_id=offers[0].pk)
    offer_accept(offer_id=offers[0].pk, provider_user=staff, start_on=offers[0].package.requested_start_on)
    assert offer_notify_award(offer_id=offers[0].pk)
    alert = Alert.objects.create(
        kind=Alert.Kind.DEADLINE_BREACH, dedupe_key="t", summary="ISA late", raised_at=offers[0].sent_at
    )
    assert alert_email(alert.pk, recipients=[ccc_user.email])
    assert Client().post("/accounts/password/reset/", {"email": staff.email}).status_code == 302

    assert mail.outbox == []  # nothing went by SMTP (or Django's test outbox)
    emails = _sent(notify, "email")
    assert [(e["template_id"], e["email_address"]) for e in emails] == [
        (TEMPLATES["offer_email"], staff.email),
        (TEMPLATES["award_email"], staff.email),
        (TEMPLATES["alert_email"], ccc_user.email),
        (TEMPLATES["message_email"], staff.email),  # Django's password reset: the general template
    ]
    assert offers[0].package.reference in emails[0]["personalisation"]["subject"]
    assert "provider portal" in emails[0]["personalisation"]["body"]
    assert "Edith" not in json.dumps(emails)  # the person's name never leaves in a message
    recorded = list(Notification.objects.order_by("pk").values_list("kind", "channel", "recipient"))
    assert recorded == [
        ("offer_email", "email", staff.email), ("award_email", "email", staff.email),
        ("alert_email", "email", ccc_user.email), ("message_email", "email", staff.email),
    ]  # fmt: skip
    assert all(n.reference.startswith(n.kind + ":") for n in Notification.objects.all())
    assert _sent(notify, "sms") == []  # a routine offer is email only


def test_an_urgent_offer_also_texts_an_opted_in_provider_and_only_that_one(notify, officer):
    market, offers = _market_with_offers(officer, Urgency.HOSPITAL_DISCHARGE)
    opted_in, other = market.providers
    make_provider_user(opted_in, email="duty@aire.example.org")
    make_provider_user(other, email="duty@wharfe.example.org")
    ProviderCapabilities.objects.filter(provider=opted_in).update(urgent_offer_sms_number="07700 900123")
    for offer in offers:
        assert offer_notify(offer_id=offer.pk)
        assert not offer_notify(offer_id=offer.pk)  # claimed once: a second run sends nothing, no second text

    texts = _sent(notify, "sms")
    assert len(texts) == 1 and texts[0]["phone_number"] == "07700 900123"
    assert texts[0]["template_id"] == TEMPLATES["urgent_offer_sms"]
    assert texts[0]["personalisation"]["reference"] == offers[0].package.reference
    texted = next(offer for offer in offers if offer.provider == opted_in)
    assert texts[0]["personalisation"]["link"].endswith(f"/portal/offers/{texted.pk}/")
    assert len(_sent(notify, "email")) == 2
    assert Notification.objects.filter(channel="sms", kind="urgent_offer_sms").count() == 1


def test_notifys_delivery_status_callback_is_recorded_against_the_notification(notify, officer):
    receipt = json.loads((RECORDED / "delivery_receipt.json").read_text())
    Notification.objects.create(
        notify_id=receipt["id"], reference=receipt["reference"], kind="offer_email", channel="email",
        template_id=receipt["template_id"], recipient=receipt["to"], created_at="2026-12-02T09:00:00Z",
    )  # fmt: skip
    client = Client()
    url = "/notify/delivery-status/"
    assert client.post(url, receipt, content_type="application/json").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.post(url, receipt, content_type="application/json", headers=wrong).status_code == 401
    signed = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}
    assert client.post(url, "not json", content_type="application/json", headers=signed).status_code == 400
    answered = client.post(url, receipt, content_type="application/json", headers=signed)
    assert answered.status_code == 200 and answered.json() == {"recorded": True}
    notification = Notification.objects.get(notify_id=receipt["id"])
    assert notification.status == "delivered"
    assert notification.completed_at is not None and notification.sent_at is not None
    unknown = client.post(url, {**receipt, "id": str(uuid.uuid4())}, content_type="application/json", headers=signed)
    assert unknown.status_code == 200 and unknown.json() == {"recorded": False}
