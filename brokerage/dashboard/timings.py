"""Time from submission to first provider response, to award and to care starting: median and 90th percentile.

On PostgreSQL the percentiles are worked out in the database (``percentile_cont``, one query grouped three
ways with ``GROUPING SETS``),
so the page does not read every package of a long period. Elsewhere (SQLite in development) one query reads
the timestamps and ``brokerage.dashboard.statistics`` does the same interpolation, so both give the same
figures (the tests run on both).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, FloatField, Value
from django.db.models.functions import Extract, TruncDate
from django.utils import timezone

from brokerage.dashboard import statistics
from brokerage.dashboard.filters import DashboardFilters
from brokerage.dashboard.links import count_cell, drill
from brokerage.models import CarePackage
from brokerage.reporting.tables import Cell, Column, Table, hours
from contracts.models import Urgency

MEASURES: tuple[tuple[str, str], ...] = (
    ("responded", "First provider response"),
    ("awarded", "Award"),
    ("started", "Care starting"),
)


@dataclass(frozen=True)
class Spread:
    """How many packages have this wait, and its median and 90th percentile (None when none have it)."""

    n: int
    median: float | None
    p90: float | None


@dataclass
class GroupTimes:
    submitted: int = 0
    waits: dict[str, Spread] = field(default_factory=dict)


def _in_python(filters: DashboardFilters) -> tuple[GroupTimes, dict[int | None, GroupTimes], dict[str, GroupTimes]]:
    """One query for the period's timestamps; waits in hours (care starting in days) worked out here."""
    lists: dict[tuple[str, object], dict[str, list[float]]] = defaultdict(lambda: {n: [] for n, _ in MEASURES})
    counts: dict[tuple[str, object], int] = defaultdict(int)
    rows = CarePackage.objects.filter(filters.scope() & filters.within("submitted_at")).values_list(
        "locality_area_id", "urgency", "submitted_at", "first_response_at", "awarded_at", "care_started_on"
    )
    local = timezone.get_current_timezone()
    for area_id, urgency, submitted, responded, awarded, started in rows.iterator(chunk_size=5000):
        assert submitted is not None  # noqa: S101 - filtered to a period of submission
        waits: dict[str, float | None] = {
            "responded": None if responded is None else (responded - submitted).total_seconds() / 3600,
            "awarded": None if awarded is None else (awarded - submitted).total_seconds() / 3600,
            "started": None if started is None else float((started - submitted.astimezone(local).date()).days),
        }
        for key in (("all", None), ("area", area_id), ("urgency", urgency)):
            counts[key] += 1
            for name, value in waits.items():
                if value is not None:
                    lists[key][name].append(value)

    def group(key: tuple[str, object]) -> GroupTimes:
        return GroupTimes(
            submitted=counts[key],
            waits={
                name: Spread(len(values), statistics.median(values), statistics.p90(values))
                for name, values in lists[key].items()
            },
        )

    return (
        group(("all", None)),
        {key[1]: group(key) for key in counts if key[0] == "area"},  # type: ignore[misc]
        {str(key[1]): group(key) for key in counts if key[0] == "urgency"},
    )


def _wait_expressions() -> dict[str, Any]:
    def since_submission(end: Any, seconds: float) -> Any:
        interval = ExpressionWrapper(end - F("submitted_at"), output_field=DurationField())
        return ExpressionWrapper(Extract(interval, "epoch") / Value(seconds), output_field=FloatField())

    submitted_day = TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())
    return {
        "responded": since_submission(F("first_response_at"), 3600.0),
        "awarded": since_submission(F("awarded_at"), 3600.0),
        "started": ExpressionWrapper(
            Extract(ExpressionWrapper(F("care_started_on") - submitted_day, output_field=DurationField()), "epoch")
            / Value(86400.0),
            output_field=FloatField(),
        ),
    }


def _in_database(filters: DashboardFilters) -> tuple[GroupTimes, dict[int | None, GroupTimes], dict[str, GroupTimes]]:
    """One grouped query (all, by area and by urgency as grouping sets), whatever the number of packages:
    the period's packages are read once, not once per grouping."""
    expressions = _wait_expressions()
    inner = (
        CarePackage.objects.filter(filters.scope() & filters.within("submitted_at"))
        .order_by()
        .values("locality_area_id", "urgency")
        .annotate(**{f"wait_{name}": expression for name, expression in expressions.items()})
    )
    inner_sql, params = inner.query.sql_with_params()
    measures = ", ".join(
        f"COUNT(wait_{name}), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY wait_{name})"
        for name in expressions
    )
    # Only the ORM's own (parameterised) SQL and fixed names are put together here.
    sql = (
        "SELECT GROUPING(locality_area_id), GROUPING(urgency), locality_area_id, urgency, COUNT(*), "  # noqa: S608
        f"{measures} FROM ({inner_sql}) AS waits "
        "GROUP BY GROUPING SETS ((), (locality_area_id), (urgency))"
    )
    overall = GroupTimes(waits={name: Spread(0, None, None) for name in expressions})
    by_area: dict[int | None, GroupTimes] = {}
    by_urgency: dict[str, GroupTimes] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        not_by_area, not_by_urgency, area_id, urgency, submitted, *figures = row
        group = GroupTimes(
            submitted=submitted,
            waits={
                name: Spread(figures[2 * index], *(figures[2 * index + 1] or (None, None)))
                for index, name in enumerate(expressions)
            },
        )
        if not_by_area and not_by_urgency:
            overall = group
        elif not_by_urgency:
            by_area[area_id] = group
        else:
            by_urgency[urgency] = group
    return overall, by_area, by_urgency


def _waits(filters: DashboardFilters) -> tuple[GroupTimes, dict[int | None, GroupTimes], dict[str, GroupTimes]]:
    return _in_database(filters) if connection.vendor == "postgresql" else _in_python(filters)


def _timing_columns(group_label: str) -> list[Column]:
    columns = [Column(group_label), Column("Submitted", numeric=True)]
    for _, label in MEASURES:
        columns += [
            Column(f"{label}: packages", numeric=True),
            Column(f"{label}: median", numeric=True),
            Column(f"{label}: 90th percentile", numeric=True),
        ]
    return columns


def _timing_row(filters: DashboardFilters, label: str, key: str, group: GroupTimes) -> list[Cell]:
    cells = [Cell(label), count_cell(filters, group.submitted, "submitted", key)]
    for name, _ in MEASURES:
        spread = group.waits[name]
        middle, high = spread.median, spread.p90
        href = drill(filters, name, key) if spread.n else ""
        if name == "started":
            texts = ("No data" if v is None else f"{v:.1f} days" for v in (middle, high))
        else:
            texts = (hours(v) for v in (middle, high))
        middle_text, high_text = texts
        cells += [
            Cell(spread.n, href=href),
            Cell(None if middle is None else round(middle, 1), text=middle_text, href=href),
            Cell(None if high is None else round(high, 1), text=high_text, href=href),
        ]
    return cells


def timing_tables(filters: DashboardFilters, areas: dict[int, str]) -> tuple[Table, Table]:
    overall, by_area, by_urgency = _waits(filters)
    note = (
        "Packages submitted in the period. The median is the middle wait; the 90th percentile is the wait "
        "that 9 in 10 packages beat. Downloads give response and award times in hours, care starting in days."
    )
    area_table = Table("times-by-area", "Time from submission, by area", _timing_columns("Area"), note=note)
    for area_id, group in sorted(by_area.items(), key=lambda item: areas.get(item[0] or 0, "")):
        name = areas.get(area_id, "No area") if area_id is not None else "No area"
        area_table.add(*_timing_row(filters, name, f"area:{area_id}" if area_id else "area:none", group))
    area_table.add(*_timing_row(filters, "All areas", "", overall))
    urgency_table = Table("times-by-urgency", "Time from submission, by urgency", _timing_columns("Urgency"), note=note)
    for urgency in Urgency:
        if urgency.value in by_urgency:
            urgency_table.add(*_timing_row(filters, urgency.label, urgency.value, by_urgency[urgency.value]))
    urgency_table.add(*_timing_row(filters, "All urgencies", "", overall))
    return area_table, urgency_table
