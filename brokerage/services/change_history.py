"""Status transitions of package changes: the row, its history and its audit event, always together.

Apart from ``brokerage.services.changes`` so that brokering (which closes re-brokered changes when the new
provider is awarded) and hand-backs (which withdraw a waiting variation) can use them without an import
circle. Callers hold the package row lock inside a transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from brokerage.events import change_event
from brokerage.models import CarePackage, Offer, PackageChange, PackageChangeStatusEvent
from brokerage.services.history import Actor, _actor_fields
from brokerage.status_actions import change_status_action
from homecare.audit.services import audit_record
from homecare.webhooks.kinds import EventKind


def change_transition(
    *,
    change: PackageChange,
    to_status: str,
    actor: Actor,
    summary: str,
    reason: str = "",
    update_fields: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> None:
    """Move ``change`` to ``to_status`` (or record its first status, for a new row) with history and audit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Package changes must happen inside a transaction.")
    creating = change.pk is None
    from_status = "" if creating else change.status
    change.status = to_status
    if creating:
        change.save()
    else:
        change.save(update_fields=["status", *update_fields])
    user, label = _actor_fields(actor)
    PackageChangeStatusEvent.objects.create(
        change=change,
        from_status=from_status,
        to_status=to_status,
        changed_at=timezone.now(),
        actor=user,
        actor_label=label,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=change_status_action(to_status),
        target=change,
        summary=f"{change.package.reference}: {summary}",
        reason=reason,
        data={
            "package": change.package_id,
            "kind": change.kind,
            "from": from_status,
            "to": to_status,
            "effective_from": change.effective_from,
            **(data or {}),
        },
    )


def changes_withdraw_locked(package: CarePackage, *, actor: Actor, why: str) -> int:
    """Withdraw the package's variations still waiting for the provider (a hand-back, suspension or end came
    first); a suspension in effect is withdrawn too when the package ends. Returns how many."""
    withdrawn = 0
    for change in package.changes.filter(status=PackageChange.Status.PROPOSED):
        change.package = package
        change_transition(change=change, to_status=PackageChange.Status.WITHDRAWN, actor=actor, summary=why)
        withdrawn += 1
    return withdrawn


def changes_on_award_locked(package: CarePackage, offer: Offer, *, now: datetime) -> None:
    """A re-brokered package has a new provider: the change that re-brokered it takes effect on its start.

    The previous provider's care (the old pattern, or the suspension) runs until the day before.
    """
    start: date = offer.proposed_start_on or timezone.localdate(now)
    for change in package.changes.filter(status=PackageChange.Status.REBROKERING):
        change.package = package
        if change.kind == PackageChange.Kind.VARIATION:
            change.applied_from = max(start, change.effective_from)
        else:
            change.resumed_on = max(start, change.effective_from)
        change_transition(
            change=change,
            to_status=PackageChange.Status.REPLACED,
            actor=None,
            summary=f"new provider {offer.provider_id} awarded, starting {start:%d %B %Y}",
            update_fields=("applied_from", "resumed_on"),
            data={"offer": offer.pk, "provider": offer.provider_id, "start_on": start},
        )
        # The change that re-brokered the package takes effect with the new provider's start.
        is_variation = change.kind == PackageChange.Kind.VARIATION
        change_event(EventKind.PACKAGE_VARIED if is_variation else EventKind.PACKAGE_RESUMED, change)
