"""Write audit events. Call inside the transaction that makes the change, so both commit or neither."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent

SYSTEM_ACTOR = "system"


def audit_event(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction,
    target: models.Model,
    summary: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The unsaved event recording that ``actor`` did ``action`` to ``target`` (``actor=None``: the system).

    ``audit_record`` saves one; ``audit_record_many`` saves a batch of them in one insert.
    """
    user = actor if isinstance(actor, User) else None
    label = user.get_username() if user is not None else SYSTEM_ACTOR
    # Round-trip through Django's encoder so dates, decimals and UUIDs are stored as plain JSON.
    plain = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_label=label,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        summary=summary[:500],
        reason=reason,
        data=plain,
    )


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction,
    target: models.Model,
    summary: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``target``. ``actor=None`` means the system did it."""
    event = audit_event(actor=actor, action=action, target=target, summary=summary, reason=reason, data=data)
    event.save(force_insert=True)
    return event


def audit_record_many(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Record events made by ``audit_event`` in one insert (a batch of changes made together, e.g. a round's
    offers), in the order given."""
    return AuditEvent.objects.bulk_create(events) if events else []
