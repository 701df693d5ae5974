"""A round's offers are written set-based: the same records as one offer at a time, in a constant number of inserts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from brokerage.events import package_event
from brokerage.models import CarePackage, Offer, OfferStatusChange
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept
from brokerage.status_actions import offer_status_action
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from homecare.audit.services import SYSTEM_ACTOR, audit_record
from homecare.queue import enqueue_suspended
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import OutboxEvent, WebhookDelivery
from homecare.webhooks.services import webhook_subscriber_create
from tests.brokerage.factories import make_isa, make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

AUDIT_FIELDS = ("actor_id", "actor_label", "action", "target_type_id", "target_id", "summary", "reason", "data")
EVENT_FIELDS = ("kind", "ordering_key", "provider_id", "correlation_id", "payload")


def _round(market: Any, officer: Any) -> tuple[CarePackage, list[Offer], int]:
    """Enter and broker a package; the number of INSERT statements the brokering step ran."""
    package = package_enter(isa=make_isa(market), entered_by=officer).package
    with CaptureQueriesContext(connection) as queries:
        package_broker(package_id=package.pk)
    package.refresh_from_db()
    inserts = sum(1 for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("INSERT"))
    return package, list(package.offers.order_by("rank")), inserts


def _row(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields}


def test_a_round_of_n_offers_writes_n_history_rows_audit_events_and_outbox_events_like_one_at_a_time(officer):
    market = make_market(providers=4)
    council = webhook_subscriber_create(name="Mosaic", url="http://127.0.0.1:9/", event_kinds=[], created_by=officer)
    roster = webhook_subscriber_create(
        name="Own rostering", url="http://127.0.0.1:9/", event_kinds=["package.offered"], created_by=officer,
        provider_id=market.providers[1].pk,
    )  # fmt: skip
    package, offers, _ = _round(market, officer)
    assert [offer.provider for offer in offers] == market.providers

    history = list(OfferStatusChange.objects.filter(offer__package=package).order_by("id"))
    assert [(h.offer_id, h.from_status, h.to_status, h.changed_at, h.actor_label) for h in history] == [
        (offer.pk, "", Offer.Status.PENDING, offer.sent_at, SYSTEM_ACTOR) for offer in offers
    ]
    sent = list(AuditEvent.objects.filter(action=AuditAction.OFFER_SENT).order_by("id"))
    assert [event.target_id for event in sent] == [str(offer.pk) for offer in offers]
    events = list(OutboxEvent.objects.filter(kind=EventKind.PACKAGE_OFFERED).order_by("id"))
    assert [event.payload["offer"]["id"] for event in events] == [offer.pk for offer in offers]
    # Every offer to the council's system, and only its own offer to the provider's system, in recording order.
    assert list(
        WebhookDelivery.objects.filter(subscriber=council.subscriber, event__in=events).values_list("event", flat=True)
    ) == [event.pk for event in events]
    assert list(WebhookDelivery.objects.filter(subscriber=roster.subscriber).values_list("event", flat=True)) == [
        events[1].pk
    ]

    # The single-row paths, given the same offer, write the same audit event and the same outbox event.
    second = offers[1]
    with enqueue_suspended(), transaction.atomic():
        single_audit = audit_record(
            actor=None,
            action=AuditAction.OFFER_SENT,
            target=second,
            summary=sent[1].summary,
            data={
                "package": package.pk,
                "provider": second.provider_id,
                "round": 1,
                "rank": 2,
                "first_refusal": False,
            },
        )
        locked = CarePackage.objects.select_for_update().get(pk=package.pk)
        package_event(EventKind.PACKAGE_OFFERED, locked, offer=second)
    assert sent[1].summary.startswith(f"{package.reference} offered to {market.providers[1].name} (rank 2)")
    assert _row(sent[1], AUDIT_FIELDS) == _row(single_audit, AUDIT_FIELDS)
    single_event = OutboxEvent.objects.filter(kind=EventKind.PACKAGE_OFFERED).order_by("id").last()
    assert _row(events[1], EVENT_FIELDS) == _row(single_event, EVENT_FIELDS)
    assert set(WebhookDelivery.objects.filter(event=events[1]).values_list("subscriber", flat=True)) == set(
        WebhookDelivery.objects.filter(event=single_event).values_list("subscriber", flat=True)
    )


def test_the_inserts_for_a_round_do_not_grow_with_its_offers(officer):
    _, few, few_inserts = _round(make_market(providers=2), officer)
    _, many, many_inserts = _round(make_market(providers=6), officer)
    assert (len(few), len(many)) == (2, 6)
    assert many_inserts == few_inserts


def _award_by_the_first_ranked(providers: int, officer: Any) -> tuple[CarePackage, list[Offer], int]:
    """Broker a package; the third-ranked provider accepts, then the first-ranked, which wins it at once.
    The number of queries the winning acceptance ran."""
    market = make_market(providers=providers)
    package, offers, _ = _round(market, officer)
    start_on = package.requested_start_on  # the earliest anyone can start: no pending provider could do better
    with enqueue_suspended():
        offer_accept(offer_id=offers[2].pk, provider_user=make_provider_user(market.providers[2]), start_on=start_on)
        winner = make_provider_user(market.providers[0])
        with CaptureQueriesContext(connection) as queries:
            offer_accept(offer_id=offers[0].pk, provider_user=winner, start_on=start_on)
    return package, list(package.offers.order_by("rank")), len(queries.captured_queries)


def test_an_award_closes_the_rounds_other_offers_in_queries_that_do_not_grow_with_them(officer):
    _, few, few_queries = _award_by_the_first_ranked(3, officer)
    package, many, many_queries = _award_by_the_first_ranked(7, officer)
    assert (len(few), len(many)) == (3, 7)
    assert many_queries == few_queries

    won, *others = many
    assert won.status == Offer.Status.AWARDED
    assert [offer.status for offer in others] == [Offer.Status.WITHDRAWN, Offer.Status.NOT_SELECTED] + [
        Offer.Status.WITHDRAWN
    ] * 4
    closed_at = won.closed_at
    assert closed_at is not None
    assert {offer.closed_at for offer in others} == {closed_at}
    assert all(offer.updated_at >= closed_at for offer in others)
    # Each closed offer has its history row and audit event, as a one-at-a-time transition writes them; the
    # policy, not the accepting provider, made the award.
    for offer in others:
        [history] = OfferStatusChange.objects.filter(offer=offer, to_status=offer.status)
        before = Offer.Status.ACCEPTED if offer.status == Offer.Status.NOT_SELECTED else Offer.Status.PENDING
        assert (history.from_status, history.actor, history.actor_label, history.reason) == (
            before, None, SYSTEM_ACTOR, ""
        )  # fmt: skip
        [event] = AuditEvent.objects.filter(target_id=str(offer.pk), action=offer_status_action(offer.status))
        assert (event.actor, event.actor_label, event.summary, event.data) == (
            None,
            SYSTEM_ACTOR,
            f"{package.reference} awarded to another provider",
            {"package": package.pk, "provider": offer.provider_id, "round": 1, "from": before, "to": offer.status},
        )
