"""A quarter's service events in the file shape of DHSC's Adult Social Care Client Level Data (CLD) return.

One row per homecare service event (a package delivered at any time in the quarter), with the column headings
and defined-list values of the CLD **Release 1** specification (valid from 1 April 2023), published by DHSC with
NHS Arden & GEM CSU: https://www.ardengemcsu.nhs.uk/adult-social-care-client-level-data/ .

The specification workbook itself could not be read here, so every heading and value below was checked against
what could be: DHSC's own CLD code (https://github.com/DataS-DHSC/ASC-CLD-LA-Dashboard: the field list of its
data-quality checks, ``Stored_procedures/create_GetDQValues_procedure.sql``, and the Release 1 values its
measures select on, ``Event_Type = 'Service'``, ``'Long Term Support: Community'``, ``'Home Support'``,
``'CASSR Commissioned Support'``, ``Client_Type = 'Service User'``), and the Delivery Mechanism defined list as
quoted from "CLD Guidance, release 1 (February 2023)" (NHS England). The column order is that of a council's load
script for its submission file; it agrees, module by module, with DHSC's list. Not verified: the column order
against the workbook, the date format (ISO ``YYYY-MM-DD`` here) and the spelling ``Hourly`` of the cost
frequency. The README's table says, for each column, what fills it or that the council's case-management export
must (left blank); ``FILLED`` lists the ones this product fills.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from brokerage.changes.selectors import care_from_of
from brokerage.models import CarePackage
from contracts import costing
from contracts.selectors import fee_rate_steps
from homecare.spreadsheets import CellValue

HEADER = (
    # Submission information
    "LA Code", "Reporting Period Start Date", "Reporting Period End Date",
    # Person details
    "NHS Number", "LA Person Unique Identifier", "GP Practice Name", "GP Practice Code", "Gender", "Ethnicity",
    "Date of Birth", "Date of Death", "Client Type", "Primary Support Reason", "Postcode", "Accommodation Status",
    "Employment Status", "Has Unpaid Carer", "Autism Spectrum Disorder (ASD)", "Visual Impairment",
    "Hearing Impairment", "Dementia", "Client Funding Status",
    # Events (all)
    "Event Type", "Event Reference", "Event Start Date", "Event End Date", "Event Description", "Event Outcome",
    # Requests, assessments, carers: not a service event's
    "Request: Route of Access", "Assessment Type", "Eligible Needs Identified", "Method of Assessment",
    "Total Hrs Caring per week", "No. of adults being cared for", "Adult 1 Linked Person_ID",
    "Adult 2 Linked Person_ID", "Adult 3 Linked Person_ID",
    # Services
    "Service Type", "Service Component", "Delivery Mechanism", "Provider CQC Location Name",
    "Provider CQC Location ID",
    # Reviews: not a service event's
    "Review Reason", "Review Outcomes Achieved", "Method of Review",
    # Costs
    "Unit Cost", "Cost Frequency (Unit Type)", "Planned units per week",
)  # fmt: skip

# Release 1 defined-list values for a council-commissioned homecare package (sources in the module docstring).
EVENT_TYPE_SERVICE = "Service"
CLIENT_TYPE_SERVICE_USER = "Service User"
SERVICE_TYPE_COMMUNITY = "Long Term Support: Community"
SERVICE_COMPONENT_HOME_SUPPORT = "Home Support"
DELIVERY_COMMISSIONED = "CASSR Commissioned Support"
COST_FREQUENCY_HOURLY = "Hourly"  # the guidance names hourly costs; this spelling is not verified

FILLED = (
    "Reporting Period Start Date", "Reporting Period End Date", "NHS Number", "LA Person Unique Identifier",
    "Date of Birth", "Client Type", "Postcode", "Event Type", "Event Reference", "Event Start Date",
    "Event End Date", "Service Type", "Service Component", "Delivery Mechanism", "Provider CQC Location Name",
    "Provider CQC Location ID", "Unit Cost", "Cost Frequency (Unit Type)", "Planned units per week",
)  # fmt: skip
NEEDS_CASE_MANAGEMENT = (
    "LA Code", "GP Practice Name", "GP Practice Code", "Gender", "Ethnicity", "Date of Death",
    "Primary Support Reason", "Accommodation Status", "Employment Status", "Has Unpaid Carer",
    "Autism Spectrum Disorder (ASD)", "Visual Impairment", "Hearing Impairment", "Dementia", "Client Funding Status",
    "Event Description", "Event Outcome",
)  # fmt: skip
NOT_FOR_SERVICE_EVENTS = tuple(name for name in HEADER if name not in FILLED and name not in NEEDS_CASE_MANAGEMENT)


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
    """One row of ``HEADER`` per package delivered between ``start`` and ``end`` (the reporting period)."""
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
        provider = package.awarded_provider
        locations = sorted(provider.locations.all(), key=lambda place: place.location_id) if provider else []
        location = locations[0] if locations else None
        values: dict[str, CellValue] = {
            "Reporting Period Start Date": start,
            "Reporting Period End Date": end,
            "NHS Number": person.nhs_number if person else "",
            "LA Person Unique Identifier": person.mosaic_person_id if person else "",
            "Date of Birth": person.date_of_birth if person else None,
            "Client Type": CLIENT_TYPE_SERVICE_USER,
            "Postcode": person.postcode if person else "",
            "Event Type": EVENT_TYPE_SERVICE,
            "Event Reference": package.reference,
            "Event Start Date": care_from,
            "Event End Date": package.ended_on,
            "Service Type": SERVICE_TYPE_COMMUNITY,
            "Service Component": SERVICE_COMPONENT_HOME_SUPPORT,
            "Delivery Mechanism": DELIVERY_COMMISSIONED,
            "Provider CQC Location Name": location.name if location else "",
            "Provider CQC Location ID": location.location_id if location else "",
            "Unit Cost": _standard_rate(package, min(end, package.ended_on or end)),
            "Cost Frequency (Unit Type)": COST_FREQUENCY_HOURLY,
            "Planned units per week": package.hours_per_week,
        }
        rows.append(tuple(values.get(name, "") for name in HEADER))
    return rows
