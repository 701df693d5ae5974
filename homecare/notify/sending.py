"""Send email and text messages through GOV.UK Notify (the official ``notifications-python-client``).

Each message kind has its own Notify template (``HOMECARE_NOTIFY_TEMPLATES``: ``kind=template-id`` pairs);
an email of a kind without its own template uses ``message_email``. Every email template has the
placeholders ``((subject))`` and ``((body))``; the urgent-offer text message template has ``((reference))``,
``((area))``, ``((hours))``, ``((respond_by))`` and ``((link))``. Each message sent is recorded as a
``Notification``; Notify's delivery-status callback updates it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone
from notifications_python_client.notifications import NotificationsAPIClient

from homecare.notify.models import Notification

logger = logging.getLogger(__name__)
FALLBACK_EMAIL = "message_email"
MESSAGE_HEADER = "X-Homecare-Message"  # set on an EmailMessage to choose its template


def notify_configured() -> bool:
    return bool(settings.HOMECARE_NOTIFY_API_KEY)


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(settings.HOMECARE_NOTIFY_API_KEY, base_url=settings.HOMECARE_NOTIFY_BASE_URL)


def template_for(kind: str, *, channel: str) -> str | None:
    templates: dict[str, str] = settings.HOMECARE_NOTIFY_TEMPLATES
    if kind in templates:
        return templates[kind]
    return templates.get(FALLBACK_EMAIL) if channel == Notification.Channel.EMAIL else None


def _record(*, response: dict[str, Any], kind: str, channel: str, template_id: str, recipient: str) -> Notification:
    return Notification.objects.create(
        notify_id=str(response["id"]),
        reference=str(response.get("reference") or ""),
        kind=kind,
        channel=channel,
        template_id=template_id,
        recipient=recipient,
        created_at=timezone.now(),
    )


def notify_email_send(*, kind: str, to: str, subject: str, body: str) -> Notification:
    """Send one email; Notify's errors (``HTTPError``) are raised, so a claimed send rolls back and is retried."""
    template_id = template_for(kind, channel=Notification.Channel.EMAIL)
    if template_id is None:  # settings refuse to start without the fallback; this guards a bad override
        raise RuntimeError(f"No GOV.UK Notify template for {kind} and no {FALLBACK_EMAIL} template")
    reference = f"{kind}:{uuid.uuid4().hex}"
    response = _client().send_email_notification(
        email_address=to,
        template_id=template_id,
        personalisation={"subject": subject, "body": body},
        reference=reference,
    )
    return _record(
        response=response, kind=kind, channel=Notification.Channel.EMAIL, template_id=template_id, recipient=to
    )


def notify_sms_send(*, kind: str, phone_number: str, personalisation: dict[str, str]) -> Notification | None:
    """Send one text message, if Notify and the kind's template are configured; None (logged) otherwise."""
    template_id = template_for(kind, channel=Notification.Channel.SMS)
    if not notify_configured() or template_id is None:
        logger.info("Text message %s not sent: GOV.UK Notify or its %s template is not configured", kind, kind)
        return None
    reference = f"{kind}:{uuid.uuid4().hex}"
    response = _client().send_sms_notification(
        phone_number=phone_number, template_id=template_id, personalisation=personalisation, reference=reference
    )
    return _record(
        response=response, kind=kind, channel=Notification.Channel.SMS, template_id=template_id, recipient=phone_number
    )
