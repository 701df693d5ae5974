"""A quarter's service events shaped like DHSC's Adult Social Care Client Level Data (CLD) return.

One row per homecare service event (a package delivered at any time in the quarter), with the CLD Release 1
field names as we read them in DHSC's published specification; the council's CLD team should check the
names and codes against the current specification before a submission. What this product cannot know (the
person's gender, ethnicity, primary support reason, client type, the LA code) is left blank, for the
council's case-management export to fill: ``FILLED`` and ``NEEDS_CASE_MANAGEMENT`` list which is which
(the README repeats them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from brokerage.changes.selectors import care_from_of, cost_between
from brokerage.models import CarePackage
from contracts import costing
from contracts.selectors import fee_rate_steps
from homecare.spreadsheets import CellValue

HEADER = (
    "LA Code", "Reporting Period Start Date", "Reporting Period End Date", "Client Type", "LA Person Unique Identifier",
    "NHS Number", "Gender", "Ethnicity", "Date of Birth (Month/Year)", "Postcode (District)", "Primary Support Reason",
    "Event Type", "Event Reference", "Event Start Date", "Event End Date", "Service Type", "Service Component",
    "Delivery Mechanism", "Provider CQC Location ID", "Planned Units Per Week", "Unit Cost",
    "Cost Frequency (Unit Type)", "Total Cost (Reporting Period)",
)  # fmt: skip
FILLED = (
    "Reporting Period Start Date", "Reporting Period End Date", "LA Person Unique Identifier (the Mosaic id)",
    "NHS Number (when recorded)", "Date of Birth (Month/Year)", "Postcode (District)", "Event Type", "Event Reference",
    "Event Start Date", "Event End Date", "Service Type", "Service Component", "Delivery Mechanism",
    "Provider CQC Location ID", "Planned Units Per Week", "Unit Cost", "Cost Frequency (Unit Type)",
    "Total Cost (Reporting Period)",
)  # fmt: skip
NEEDS_CASE_MANAGEMENT = ("LA Code", "Client Type", "Gender", "Ethnicity", "Primary Support Reason")


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """A financial-year quarter as CLD counts them: Q1 is April to June of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("The quarter is 1 to 4.")
    month = 4 + 3 * (quarter - 1)
    start = date(year + (month > 12), (month - 1) % 12 + 1, 1)
    end_month = start.month + 3
    end = date(start.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def _standard_rate(package: CarePackage, day: date) -> Decimal | None:
    """The agreement's standard hourly rate in force on ``day`` (the unit cost), if it has one."""
    steps = fee_rate_steps(agreement=package.agreement).get(costing.STANDARD)
    try:
        return costing.rate_on(steps, day) if steps else None
    except costing.NoRateInForce:
        return None


def service_event_rows(*, start: date, end: date) -> list[Sequence[CellValue]]:
    live = Q(status__in=CarePackage.LIVE_STATUSES) | Q(status=CarePackage.Status.ENDED, ended_on__gte=start)
    packages = (
        CarePackage.objects.filter(live, awarded_provider__isnull=False)
        .select_related("person", "awarded_provider", "agreement")
        .prefetch_related("awarded_provider__locations", "visits", "changes", "offers", "hand_backs")
        .order_by("pk")
    )
    rows: list[Sequence[CellValue]] = []
    for package in packages:
        care_from = care_from_of(package)
        if care_from is None or care_from > end:
            continue
        person = getattr(package, "person", None)
        born = person.date_of_birth if person is not None else None
        locations = list(package.awarded_provider.locations.all()) if package.awarded_provider else []
        try:
            cost: Decimal | None = cost_between(package, max(start, care_from), end)
        except costing.NoRateInForce:
            cost = None
        hours = package.hours_per_week
        rows.append(
            (
                "", start, end, "", person.mosaic_person_id if person else "", person.nhs_number if person else "",
                "", "", born.strftime("%m/%Y") if born else "", package.postcode_district, "",
                "Service", package.reference, care_from, package.ended_on if package.ended_on else None,
                "Long Term Support: Community", "Home Care", "Council commissioned",
                locations[0].location_id if locations else "", hours, _standard_rate(package, end), "Hourly", cost,
            )
        )  # fmt: skip
    return rows
