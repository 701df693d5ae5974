"""Providers keep their capacity (hours per area) and capabilities current; the engine reads them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import time
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from brokerage.models import ProviderCapabilities, ProviderCapacity, Skill
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import LocalityArea
from providers.selectors import provider_for_user


@dataclass(frozen=True)
class Capabilities:
    double_handed: bool
    lead_time_days: int
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    carer_genders: tuple[str, ...]
    visits_from: time
    visits_until: time
    urgent_offer_sms_number: str = ""  # blank: no text messages for urgent offers


class CapacityInvalid(ValueError):
    pass


@transaction.atomic
def capacity_update(*, provider_user: User, hours_by_area: dict[int, Decimal], capabilities: Capabilities) -> None:
    """Replace the provider's hours per area and capabilities (its own only), with an audit event."""
    provider = provider_for_user(user=provider_user)
    if any(hours < 0 for hours in hours_by_area.values()):
        raise CapacityInvalid("Hours cannot be negative.")
    unknown = set(hours_by_area) - set(LocalityArea.objects.filter(pk__in=hours_by_area).values_list("pk", flat=True))
    if unknown:
        raise CapacityInvalid("Unknown locality area.")
    if set(capabilities.skills) - set(Skill.values):
        raise CapacityInvalid("Unknown skill.")
    if capabilities.visits_until <= capabilities.visits_from:
        raise CapacityInvalid("The latest visit end must be after the earliest visit.")
    now = timezone.now()
    for area_id, hours in hours_by_area.items():
        ProviderCapacity.objects.update_or_create(
            provider=provider,
            locality_area_id=area_id,
            defaults={"hours_available_per_week": hours, "updated_at": now, "updated_by": provider_user},
        )
    ProviderCapabilities.objects.update_or_create(
        provider=provider,
        defaults={
            "double_handed": capabilities.double_handed,
            "lead_time_days": capabilities.lead_time_days,
            "skills": sorted(capabilities.skills),
            "languages": sorted({language.strip().title() for language in capabilities.languages if language.strip()}),
            "carer_genders": sorted(capabilities.carer_genders),
            "visits_from": capabilities.visits_from,
            "visits_until": capabilities.visits_until,
            "urgent_offer_sms_number": capabilities.urgent_offer_sms_number,
            "updated_at": now,
            "updated_by": provider_user,
        },
    )
    audit_record(
        actor=provider_user,
        action=AuditAction.PROVIDER_CAPACITY_UPDATED,
        target=provider,
        summary=(
            f"{provider.name} updated its capacity "
            f"({sum(hours_by_area.values())} hours a week in {len(hours_by_area)} areas)"
        ),
        data={"hours_by_area": {str(k): v for k, v in hours_by_area.items()}, "capabilities": asdict(capabilities)},
    )
