"""The outbound events about care packages: their documented payloads, recorded in the services' transactions.

No personal data goes in an event (no name, address or date of birth): a receiver that needs them fetches the
package through the API, which checks who it is and logs the access. Payloads are versioned with the API
(``/api/v1/``); the README ("Outbound events") documents every field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brokerage.models import CarePackage, HandBack, Offer, PackageChange
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.outbox import EventDraft, event_record_many


def package_summary(package: CarePackage) -> dict[str, Any]:
    return {
        "id": package.pk,
        "reference": package.reference,
        "source_system": package.source_system,
        "external_reference": package.external_reference,
        "status": package.status,
        "urgency": package.urgency,
        "round_number": package.round_number,
        "hours_per_week": package.hours_per_week,
        "requested_start_on": package.requested_start_on,
        "awarded_provider_id": package.awarded_provider_id,
        "awarded_at": package.awarded_at,
        "care_started_on": package.care_started_on,
        "ended_on": package.ended_on,
        "url": f"/api/v1/packages/{package.pk}/",
    }


def offer_summary(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "provider_id": offer.provider_id,
        "status": offer.status,
        "round_number": offer.round_number,
        "rank": offer.rank,
        "respond_by": offer.respond_by,
        "proposed_start_on": offer.proposed_start_on,
        "url": f"/api/v1/offers/{offer.pk}/",
    }


def change_summary(change: PackageChange) -> dict[str, Any]:
    """A change after award as events carry it (``variation`` or ``suspension`` in ``data``): no free text."""
    pattern = change.pattern or {}
    return {
        "id": change.pk,
        "kind": change.kind,
        "status": change.status,
        "effective_from": change.effective_from,
        "applied_from": change.applied_from,
        "hours_per_week": pattern.get("hours_per_week"),
        "visits": len(pattern.get("visits", ())),
        "reason_code": change.reason_code,
        "expected_return_on": change.expected_return_on,
        "resumed_on": change.resumed_on,
        "retainer_days": change.retainer_days,
    }


def change_event(kind: EventKind, change: PackageChange) -> None:
    """Record a change after award taking effect: ``package.varied``, ``.suspended``, ``.resumed`` or ``.ended``."""
    key = "variation" if change.kind == PackageChange.Kind.VARIATION else change.kind
    package_event(kind, change.package, extra={key: change_summary(change)})


def package_event(
    kind: EventKind,
    package: CarePackage,
    *,
    offer: Offer | None = None,
    hand_back: HandBack | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record ``kind`` for the package (call with the package row locked, inside the change's transaction)."""
    event_record_many([_package_draft(kind, package, offer=offer, hand_back=hand_back, extra=extra)])


def package_offers_event(kind: EventKind, package: CarePackage, offers: Sequence[Offer]) -> None:
    """Record ``kind`` once per offer, as ``package_event`` would, in a few queries (a round's new offers)."""
    event_record_many([_package_draft(kind, package, offer=offer) for offer in offers])


def _package_draft(
    kind: EventKind,
    package: CarePackage,
    *,
    offer: Offer | None = None,
    hand_back: HandBack | None = None,
    extra: dict[str, Any] | None = None,
) -> EventDraft:
    data: dict[str, Any] = {"package": package_summary(package)}
    if offer is not None:
        data["offer"] = offer_summary(offer)
    if hand_back is not None:
        data["hand_back"] = {
            "id": hand_back.pk,
            "provider_id": hand_back.provider_id,
            "effective_on": hand_back.effective_on,
            "reason": hand_back.reason,
        }
    data |= extra or {}
    provider_id = offer.provider_id if offer is not None else package.awarded_provider_id
    if hand_back is not None:
        provider_id = hand_back.provider_id
    return EventDraft(kind=kind, ordering_key=f"package:{package.pk}", payload=data, provider_id=provider_id)
