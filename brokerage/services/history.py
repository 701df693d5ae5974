"""Status transitions of packages and offers: the row, its history and its audit event, always together.

Callers hold the package row lock (``select_for_update``) and an open transaction; these helpers never
commit on their own, so a change and its record succeed or fail as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from brokerage.models import CarePackage, Offer, OfferStatusChange, PackageStatusChange
from brokerage.status_actions import offer_status_action, package_status_action
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from homecare.audit.services import SYSTEM_ACTOR, audit_event, audit_record, audit_record_many

Actor = User | AnonymousUser | None


def _actor_fields(actor: Actor) -> tuple[User | None, str]:
    user = actor if isinstance(actor, User) else None
    return user, (user.get_username() if user is not None else SYSTEM_ACTOR)


def package_transition(
    *,
    package: CarePackage,
    to_status: str,
    actor: Actor,
    summary: str,
    reason: str = "",
    update_fields: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> None:
    """Move ``package`` to ``to_status``, saving ``update_fields`` too, with a history row and an audit event."""
    _require_transaction("Package")
    from_status = package.status
    package.status = to_status
    package.save(update_fields=["status", *update_fields])
    user, label = _actor_fields(actor)
    PackageStatusChange.objects.create(
        package=package,
        from_status=from_status,
        to_status=to_status,
        round_number=package.round_number,
        changed_at=timezone.now(),
        actor=user,
        actor_label=label,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=package_status_action(to_status),
        target=package,
        summary=f"{package.reference}: {summary}",
        reason=reason,
        data={"from": from_status, "to": to_status, "round": package.round_number, **(data or {})},
    )


def _require_transaction(kind: str) -> None:
    # A status change, its history row and its audit event commit together or not at all.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{kind} status changes must happen inside a transaction.")


def offer_transition(
    *,
    offer: Offer,
    to_status: str,
    actor: Actor,
    summary: str,
    reason: str = "",
    update_fields: tuple[str, ...] = (),
    data: dict[str, Any] | None = None,
) -> None:
    """Move ``offer`` to ``to_status``, saving ``update_fields`` too, with a history row and an audit event."""
    _require_transaction("Offer")
    from_status = offer.status
    offer.status = to_status
    offer.save(update_fields=["status", *update_fields])
    history, event = _offer_records(offer, from_status, actor=actor, summary=summary, reason=reason, data=data)
    history.save(force_insert=True)
    event.save(force_insert=True)


def offers_transition(
    *,
    changes: Sequence[tuple[Offer, str, str]],
    actor: Actor,
    reason: str = "",
    update_fields: tuple[str, ...] = (),
) -> None:
    """``offer_transition`` for offers changed together, each ``(offer, to_status, summary)``: the same rows,
    history and audit events, each kind written in one statement (an award closes the round's other offers)."""
    _require_transaction("Offer")
    if not changes:
        return
    now = timezone.now()
    records = []
    for offer, to_status, summary in changes:
        from_status = offer.status
        offer.status = to_status
        offer.updated_at = now  # bulk_update does not call ChangeTracked.save
        records.append(_offer_records(offer, from_status, actor=actor, summary=summary, reason=reason, data=None))
    Offer.objects.bulk_update([offer for offer, _, _ in changes], ["status", "updated_at", *update_fields])
    OfferStatusChange.objects.bulk_create(history for history, _ in records)
    audit_record_many([event for _, event in records])


def _offer_records(
    offer: Offer, from_status: str, *, actor: Actor, summary: str, reason: str, data: dict[str, Any] | None
) -> tuple[OfferStatusChange, AuditEvent]:
    """The unsaved history row and audit event of ``offer``'s move from ``from_status`` to its status now."""
    user, label = _actor_fields(actor)
    history = OfferStatusChange(
        offer=offer,
        from_status=from_status,
        to_status=offer.status,
        changed_at=timezone.now(),
        actor=user,
        actor_label=label,
        reason=reason,
    )
    event = audit_event(
        actor=actor,
        action=offer_status_action(offer.status),
        target=offer,
        summary=summary,
        reason=reason,
        data=_offer_data(offer, {"from": from_status, "to": offer.status, **(data or {})}),
    )
    return history, event


def _offer_data(offer: Offer, more: dict[str, Any]) -> dict[str, Any]:
    """An offer's audit data: which package, provider and round, then what the change adds."""
    return {"package": offer.package_id, "provider": offer.provider_id, "round": offer.round_number, **more}


def offers_created(*, offers: Sequence[tuple[Offer, str, dict[str, Any]]], actor: Actor) -> None:
    """Record new offers' first status: for each ``(offer, summary, data)``, a history row and an audit event,
    each kind written in one insert (a round sends its offers together)."""
    user, label = _actor_fields(actor)
    OfferStatusChange.objects.bulk_create(
        OfferStatusChange(
            offer=offer, from_status="", to_status=offer.status, changed_at=offer.sent_at, actor=user, actor_label=label
        )
        for offer, _, _ in offers
    )
    audit_record_many(
        [
            audit_event(
                actor=actor,
                action=AuditAction.OFFER_SENT,
                target=offer,
                summary=summary,
                data=_offer_data(offer, data),
            )
            for offer, summary, data in offers
        ]
    )
