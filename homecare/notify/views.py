"""GOV.UK Notify's delivery-status callback: Notify POSTs each notification's status, with our bearer token."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from homecare.notify.models import Notification


def _authorised(request: HttpRequest) -> bool:
    expected = settings.HOMECARE_NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt  # a server-to-server callback authorised by its bearer token, never a browser form
@require_POST
def delivery_status(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return JsonResponse({"detail": "A valid bearer token is needed."}, status=401)
    try:
        document = json.loads(request.body)
        notify_id = str(document["id"])
        status = str(document["status"])[:30]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "Expected Notify's JSON with id and status."}, status=400)
    updated = Notification.objects.filter(notify_id=notify_id).update(
        status=status,
        status_at=_moment(document.get("completed_at")) or _moment(document.get("sent_at")),
        sent_at=_moment(document.get("sent_at")),
        completed_at=_moment(document.get("completed_at")),
    )
    # An unknown id is answered 200 too: Notify would otherwise retry a notification we never sent.
    return JsonResponse({"recorded": bool(updated)})


def _moment(value: object) -> object:
    return parse_datetime(value) if isinstance(value, str) else None
