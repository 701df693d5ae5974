"""The home-care part of the statutory monthly Capacity Tracker return, from what the provider declared here.

Providers must update the Capacity Tracker (capacitytracker.com, run by NECS for DHSC) once in each monthly
reporting window: from the 8th to the 14th of the month (to the next working day when the 14th is not one).
This builds the figures the service already knows, so the provider declares its capacity once (here) and copies
the figures across. It knows only this council's packages: the return's totals across all funders, and its
workforce and vaccination questions, are the provider's to fill in (the README lists which fields map).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from brokerage.models import CarePackage, ProviderCapabilities, ProviderCapacity
from providers.models import CqcLocation, Provider

WINDOW_FIRST_DAY = 8
WINDOW_LAST_DAY = 14


def reporting_window(today: date) -> tuple[date, date]:
    """This month's window: the 8th to the 14th, the end moved past a weekend (bank holidays are not known here)."""
    start = today.replace(day=WINDOW_FIRST_DAY)
    end = today.replace(day=WINDOW_LAST_DAY)
    while end.weekday() >= 5:
        end += timedelta(days=1)
    return start, end


def window_open(today: date) -> bool:
    start, end = reporting_window(today)
    return start <= today <= end


@dataclass(frozen=True)
class TrackerReturn:
    provider: Provider
    location_ids: list[str]
    people_supported: int  # this council's packages with care in progress
    hours_per_week_delivered: Decimal
    spare_hours_per_week: Decimal
    spare_hours_by_area: list[tuple[str, Decimal]]
    taking_new_packages: bool
    lead_time_days: int | None
    double_handed: bool | None

    def rows(self) -> list[tuple[str, str, str]]:
        """(Capacity Tracker question, answer, where the answer comes from)."""
        yes_no = {True: "Yes", False: "No", None: "Not declared"}
        rows = [
            ("CQC location ID(s)", ", ".join(self.location_ids) or "None registered", "CQC data"),
            ("Number of people receiving home care", str(self.people_supported),
             "This council's packages with care in progress only: add other funders' and self-funders'"),
            ("Hours of home care delivered per week", f"{self.hours_per_week_delivered:.2f}",
             "This council's packages with care in progress only: add the rest"),
            ("Can you take on new packages of care?", yes_no[self.taking_new_packages],
             "Yes when any area's spare hours are above zero"),
            ("Additional hours of care you could deliver per week", f"{self.spare_hours_per_week:.2f}",
             "Your capacity declaration (all areas)"),
            ("Days needed to start a new package", str(self.lead_time_days) if self.lead_time_days is not None
             else "Not declared", "Your capabilities"),
            ("Can you staff double-handed calls?", yes_no[self.double_handed], "Your capabilities"),
        ]  # fmt: skip
        rows += [(f"Spare hours per week: {area}", f"{hours:.2f}", "Your capacity declaration") for area, hours in
                 self.spare_hours_by_area]  # fmt: skip
        return rows


def tracker_return(*, provider: Provider) -> TrackerReturn:
    live = CarePackage.objects.filter(awarded_provider=provider, status=CarePackage.Status.CARE_STARTED)
    capacities = list(
        ProviderCapacity.objects.filter(provider=provider)
        .select_related("locality_area")
        .order_by("locality_area__display_order", "locality_area__name")
    )
    capabilities = ProviderCapabilities.objects.filter(provider=provider).first()
    spare = sum((c.hours_available_per_week for c in capacities), Decimal(0))
    return TrackerReturn(
        provider=provider,
        location_ids=list(
            CqcLocation.objects.filter(provider=provider, is_homecare_agency=True)
            .order_by("location_id")
            .values_list("location_id", flat=True)
        ),
        people_supported=live.count(),
        hours_per_week_delivered=live.aggregate(total=Sum("hours_per_week"))["total"] or Decimal(0),
        spare_hours_per_week=spare,
        spare_hours_by_area=[(c.locality_area.name, c.hours_available_per_week) for c in capacities],
        taking_new_packages=spare > 0,
        lead_time_days=capabilities.lead_time_days if capabilities else None,
        double_handed=capabilities.double_handed if capabilities else None,
    )
