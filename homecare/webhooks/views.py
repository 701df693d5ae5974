"""Officers' webhook pages: subscribers (set up, rotate the secret, stop) and each one's delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.webhooks import selectors, services
from homecare.webhooks.forms import SubscriberCreateForm
from homecare.webhooks.models import WebhookDelivery


@audience_required(Audience.OFFICER)
def subscriber_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/subscriber_list.html", {"subscribers": selectors.subscribers_all()})


@never_cache  # the response to the POST shows the secret
@audience_required(Audience.OFFICER)
@require_http_methods(["GET", "POST"])
def subscriber_create(request: HttpRequest) -> HttpResponse:
    form = SubscriberCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.webhook_subscriber_create(
                name=data["name"],
                url=data["url"],
                event_kinds=list(data["event_kinds"]),
                provider_id=data["provider_id"],
                created_by=request_user(request),
            )
        except ValidationError as error:
            form.add_error("event_kinds", error)
        else:
            return render(request, "webhooks/secret.html", {"subscriber": made.subscriber, "secret": made.secret})
    return render(request, "webhooks/subscriber_create.html", {"form": form})


@audience_required(Audience.OFFICER)
def subscriber_detail(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = selectors.subscriber_get(subscriber_id=subscriber_id)
    deliveries = selectors.deliveries_for(subscriber=subscriber)
    return render(request, "webhooks/subscriber_detail.html", {"subscriber": subscriber, "deliveries": deliveries})


@never_cache
@audience_required(Audience.OFFICER)
@require_POST
def secret_rotate(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = selectors.subscriber_get(subscriber_id=subscriber_id)
    made = services.webhook_secret_rotate(subscriber_id=subscriber.pk, rotated_by=request_user(request))
    return render(
        request, "webhooks/secret.html", {"subscriber": made.subscriber, "secret": made.secret, "rotated": True}
    )


@audience_required(Audience.OFFICER)
@require_POST
def subscriber_deactivate(request: HttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = selectors.subscriber_get(subscriber_id=subscriber_id)
    services.webhook_subscriber_deactivate(subscriber_id=subscriber.pk, deactivated_by=request_user(request))
    messages.success(request, f"{subscriber.name} will receive no more events.")
    return redirect("commissioning:webhooks:detail", subscriber_id=subscriber.pk)


@audience_required(Audience.OFFICER)
@require_POST
def delivery_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    try:
        services.webhook_redeliver(delivery_id=delivery.pk, requested_by=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{delivery.event.kind} will be sent again, with the same webhook-id.")
    return redirect("commissioning:webhooks:detail", subscriber_id=delivery.subscriber_id)
