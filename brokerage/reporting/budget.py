"""Budget against commitments for an agreement: what its packages cost now, and by the end of the year.

1. Every package placed under the agreement becomes a ``Commitment``: its visit pattern, paid by the one
   costing rule (``contracts.costing.hours_by_service_type``), from the day care started (or the requested
   start, if it has not started yet) to the day it
   ended (or the end of the financial year, for care still going).
2. Spent so far: the commitments' cost from the start of the financial year to yesterday.
3. Committed to year end: the cost of care still going (or awarded) from today to 31 March.
4. Projected outturn = spent + committed, against the agreement's indicative annual budget.
Each day is costed at the fee rate in force that day (``contracts.costing``), so announced rate changes count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch

from brokerage.models import CarePackage, Visit
from brokerage.reporting.commitments import Commitment, cost_between, financial_year
from brokerage.reporting.tables import Cell, Column, Table
from contracts.costing import NoRateInForce, RateStep, carer_hours_by_service_type, hours_by_service_type
from contracts.models import Agreement
from contracts.selectors import fee_rate_steps

COSTED_STATUSES = (CarePackage.Status.AWARDED, CarePackage.Status.CARE_STARTED, CarePackage.Status.ENDED)
ACTIVE_STATUSES = (CarePackage.Status.AWARDED, CarePackage.Status.CARE_STARTED)


@dataclass(frozen=True)
class BudgetReport:
    agreement: Agreement
    as_of: date
    year_start: date
    year_end: date
    budget: Decimal | None
    active_packages: int
    weekly_hours: Decimal
    weekly_cost: Decimal
    spent: Decimal
    committed: Decimal
    uncosted: list[str]
    table: Table
    areas: Table

    @property
    def projected(self) -> Decimal:
        return self.spent + self.committed

    @property
    def headroom(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.projected


def _commitments(package: CarePackage, rates: dict[str, list[RateStep]], *, until: date) -> list[Commitment]:
    start = package.care_started_on or package.requested_start_on
    end = package.ended_on - timedelta(days=1) if package.ended_on else until
    visits = list(package.visits.all())
    hwc, per_week = package.housing_with_care, package.hours_per_week
    by_type = hours_by_service_type(visits, housing_with_care=hwc, rated_types=rates, hours_per_week=per_week)
    carer_hours = carer_hours_by_service_type(visits, housing_with_care=hwc, rated_types=rates, hours_per_week=per_week)
    return [
        Commitment(service, hours, start, end, carer_hours=carer_hours.get(service))
        for service, hours in by_type.items()
    ]


def budget_report(*, agreement: Agreement, as_of: date) -> BudgetReport:
    year_start, year_end = financial_year(as_of)
    rates = fee_rate_steps(agreement=agreement)
    packages = (
        CarePackage.objects.filter(agreement=agreement, status__in=COSTED_STATUSES)
        .exclude(ended_on__lt=year_start)
        .select_related("locality_area")
        .prefetch_related(Prefetch("visits", queryset=Visit.objects.order_by()))
    )
    all_commitments: list[Commitment] = []
    live: list[Commitment] = []
    by_area: dict[str, list[Commitment]] = defaultdict(list)
    uncosted: list[str] = []
    active = 0
    for package in packages:
        commitments = _commitments(package, rates, until=year_end)
        if any(c.service_type not in rates for c in commitments):
            uncosted.append(package.reference)
            continue
        all_commitments += commitments
        if package.status in ACTIVE_STATUSES:
            active += 1
            live += commitments
            by_area[package.locality_area.name if package.locality_area else "No area"] += commitments
    try:
        spent = cost_between(all_commitments, start=year_start, end=as_of - timedelta(days=1), rates=rates)
        committed = cost_between(live, start=as_of, end=year_end, rates=rates)
        weekly = cost_between(live, start=as_of, end=as_of + timedelta(days=6), rates=rates)
        area_rows = [
            (
                name,
                sum((c.weekly_carer_hours for c in items), Decimal(0)),
                cost_between(items, start=as_of, end=as_of + timedelta(days=6), rates=rates),
                cost_between(items, start=as_of, end=year_end, rates=rates),
            )
            for name, items in sorted(by_area.items())
        ]
    except NoRateInForce as error:
        raise NoRateInForce(f"{agreement.reference}: {error} Add the fee rate to cost its packages.") from error
    budget = agreement.indicative_annual_budget
    weekly_hours = sum((c.weekly_carer_hours for c in live), Decimal(0))
    table = Table(
        "budget",
        f"Budget against commitments, financial year {year_start:%Y}/{year_end:%y}",
        [Column("Measure"), Column("Amount", numeric=True)],
        note=(
            "Spent so far: care delivered from 1 April to yesterday. Committed: care awarded or in progress from "
            "today to 31 March, assuming it continues. Each day at the fee rate in force that day."
        ),
    )
    table.add(Cell("Indicative annual budget"), Cell(budget, text="Not set" if budget is None else f"£{budget:,.2f}"))
    table.add(Cell("Packages awarded or in progress"), Cell(active))
    table.add(Cell("Hours of care a week (carer hours)"), Cell(weekly_hours.quantize(Decimal("0.01"))))
    table.add(Cell("Weekly cost of those packages from today"), Cell(weekly, text=f"£{weekly:,.2f}"))
    table.add(Cell("Spent so far this year"), Cell(spent, text=f"£{spent:,.2f}"))
    table.add(Cell("Committed from today to 31 March"), Cell(committed, text=f"£{committed:,.2f}"))
    projected = spent + committed
    table.add(Cell("Projected spend for the year"), Cell(projected, text=f"£{projected:,.2f}"))
    if budget is not None:
        headroom = budget - projected
        table.add(
            Cell("Left in the budget at year end" if headroom >= 0 else "Over budget at year end"),
            Cell(
                headroom,
                text=f"£{abs(headroom):,.2f}",
                tag="" if headroom >= 0 else "Over budget",
                tag_class="govuk-tag--red",
            ),
        )
    areas = Table(
        "budget-by-area",
        "Commitments by area (packages awarded or in progress)",
        [
            Column("Area"),
            Column("Carer hours a week", numeric=True),
            Column("Weekly cost", numeric=True),
            Column("Committed to 31 March", numeric=True),
        ],
    )
    for name, area_hours, area_weekly, area_committed in area_rows:
        areas.add(
            Cell(name),
            Cell(area_hours.quantize(Decimal("0.01"))),
            Cell(area_weekly, text=f"£{area_weekly:,.2f}"),
            Cell(area_committed, text=f"£{area_committed:,.2f}"),
        )
    return BudgetReport(
        agreement=agreement,
        as_of=as_of,
        year_start=year_start,
        year_end=year_end,
        budget=budget,
        active_packages=active,
        weekly_hours=weekly_hours,
        weekly_cost=weekly,
        spent=spent,
        committed=committed,
        uncosted=uncosted,
        table=table,
        areas=areas,
    )
