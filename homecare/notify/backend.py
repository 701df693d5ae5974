"""A Django email backend that sends every email through GOV.UK Notify instead of SMTP.

Select it with ``DJANGO_EMAIL_BACKEND=homecare.notify.backend.NotifyEmailBackend``: then every email the
product sends (offers, awards, CCC alerts, password resets) goes through Notify, one notification per
recipient, with the template of its kind (the ``X-Homecare-Message`` header, else ``message_email``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import requests
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import APIError

from homecare.notify.sending import FALLBACK_EMAIL, MESSAGE_HEADER, notify_email_send

logger = logging.getLogger(__name__)


class NotifyEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            kind = str(message.extra_headers.get(MESSAGE_HEADER, FALLBACK_EMAIL))
            try:
                for recipient in message.recipients():
                    notify_email_send(kind=kind, to=recipient, subject=str(message.subject), body=str(message.body))
            except (APIError, requests.RequestException):
                # Notify's client raises its own APIError (and requests' errors): Django's contract is to raise
                # unless the caller asked for silence; even then the failure is logged, not lost.
                if not self.fail_silently:
                    raise
                logger.exception("GOV.UK Notify refused or did not answer an email of kind %s", kind)
                continue
            sent += 1
        return sent
