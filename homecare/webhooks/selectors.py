"""Reads for the officers' webhook pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from homecare.webhooks.models import WebhookDelivery, WebhookSubscriber


def subscribers_all() -> QuerySet[WebhookSubscriber]:
    return WebhookSubscriber.objects.order_by("-is_active", "name", "pk")


def subscriber_get(*, subscriber_id: int) -> WebhookSubscriber:
    return get_object_or_404(WebhookSubscriber, pk=subscriber_id)


def deliveries_for(*, subscriber: WebhookSubscriber, limit: int = 100) -> list[WebhookDelivery]:
    """The subscriber's newest deliveries with their attempts, newest first (the delivery log)."""
    return list(
        WebhookDelivery.objects.filter(subscriber=subscriber)
        .select_related("event")
        .prefetch_related("log")
        .order_by("-event_id")[:limit]
    )
