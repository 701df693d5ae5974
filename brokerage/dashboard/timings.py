"""Time from submission to first provider response, to award and to care starting: median and 90th percentile.

On PostgreSQL one grouped query works out every wait in the database and returns them gathered per area and
urgency; the percentiles are interpolated here exactly as ``percentile_cont`` does. Elsewhere (SQLite in
development) one query reads the timestamps and ``brokerage.dashboard.statistics`` does the same
interpolation, so both give the same figures (the tests run on both).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils import timezone

from brokerage.dashboard import rollups, statistics
from brokerage.dashboard.filters import DashboardFilters
from brokerage.dashboard.links import count_cell, drill
from brokerage.dashboard.models import PackageWait
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


_ANY = object()  # a grouping that does not restrict this column


def _in_database(filters: DashboardFilters) -> tuple[GroupTimes, dict[int | None, GroupTimes], dict[str, GroupTimes]]:
    """One grouped query, whatever the number of packages: PostgreSQL works out every wait and gathers them
    into one array per area and urgency (a hash aggregate, no sort); the percentiles of each grouping are
    taken here from the merged, sorted arrays with the same interpolation as ``percentile_cont``. Sorting
    each wait once in numpy is much cheaper than the database sorting every grouping apart.

    The arrays come in PostgreSQL's binary form (``array_send``), read straight into numpy: the same
    doubles bit for bit, where the text form cost a Python float per wait to parse (at 100,000 packages,
    about 45 ms of the page's CPU for all time against about 7 ms)."""
    zone = timezone.get_current_timezone_name()
    if rollups.in_use():
        # The waits kept per package by the rollup triggers (``PackageWait``, the same expressions as below):
        # a narrow table, so reading a year of packages is a short scan with nothing left to work out.
        inner_sql, inner_params = (
            PackageWait.objects.filter(filters.scope() & filters.within("submitted_at"))
            .order_by()
            .values("locality_area_id", "urgency", "responded", "awarded", "started")
            .query.sql_with_params()
        )
        waits = {name: name for name in ("responded", "awarded", "started")}
        zones: tuple[str, ...] = ()
    else:
        inner_sql, inner_params = (
            CarePackage.objects.filter(filters.scope() & filters.within("submitted_at"))
            .order_by()
            .values("locality_area_id", "urgency", "submitted_at", "first_response_at", "awarded_at", "care_started_on")
            .query.sql_with_params()
        )
        # Waits in double precision (``date_part``), hours for responses and awards, whole days to care
        # starting (from the local day of submission), as ``_in_python`` defines them; ``date_part`` is
        # several times cheaper than ``EXTRACT``'s exact numeric and agrees with it to the last binary digit
        # or so, far below the tenth of an hour the dashboard shows.
        waits = {
            "responded": "date_part('epoch', first_response_at - submitted_at) / 3600.0",
            "awarded": "date_part('epoch', awarded_at - submitted_at) / 3600.0",
            "started": "(care_started_on - (submitted_at AT TIME ZONE %s)::date)::double precision",
        }
        zones = (zone, zone)  # the two in the SELECT list come before the subquery's
    expressions = dict.fromkeys(waits)
    gathered = ", ".join(
        f"array_send(array_agg({expression}) FILTER (WHERE {expression} IS NOT NULL))" for expression in waits.values()
    )
    # Only the ORM's own (parameterised) SQL and fixed expressions are put together here.
    sql = (
        f"SELECT locality_area_id, urgency, COUNT(*), {gathered} FROM ({inner_sql}) AS waits "  # noqa: S608
        "GROUP BY locality_area_id, urgency"
    )
    params = (*zones, *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cells = [(*row[:3], *(_doubles(array) for array in row[3:])) for row in cursor.fetchall()]

    def group(*, area: object = _ANY, urgency: object = _ANY) -> GroupTimes:
        chosen = [cell for cell in cells if area in (_ANY, cell[0]) and urgency in (_ANY, cell[1])]
        waits = {}
        for index, name in enumerate(expressions):
            values = [cell[3 + index] for cell in chosen if len(cell[3 + index])]
            ordered = np.sort(np.concatenate(values)) if values else np.zeros(0)
            waits[name] = Spread(len(ordered), _percentile(ordered, 0.5), _percentile(ordered, 0.9))
        return GroupTimes(submitted=sum(cell[2] for cell in chosen), waits=waits)

    overall = group()
    by_area: dict[int | None, GroupTimes] = {area: group(area=area) for area in {cell[0] for cell in cells}}
    by_urgency: dict[str, GroupTimes] = {urgency: group(urgency=urgency) for urgency in {cell[1] for cell in cells}}
    return overall, by_area, by_urgency


# ``array_send`` of a one-dimensional float8[] without nulls: a 20-byte header (dimensions, null flag, element
# type, length, lower bound), then each element as its 4-byte length (8) and the big-endian double.
_ARRAY_HEADER = 20
_ELEMENT = np.dtype([("length", ">i4"), ("value", ">f8")])


def _doubles(array: bytes | memoryview | None) -> npt.NDArray[np.float64]:
    """The waits of one ``array_send`` (None: no package had this wait) as native doubles."""
    if array is None or len(array) <= _ARRAY_HEADER:  # an empty array has no dimensions (a shorter header)
        return np.zeros(0)
    return np.frombuffer(array, _ELEMENT, offset=_ARRAY_HEADER)["value"].astype(np.float64)


def _percentile(ordered: npt.NDArray[np.float64], fraction: float) -> float | None:
    """``statistics.percentile`` on values already sorted: the same linear interpolation, term for term."""
    if not len(ordered):
        return None
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    low, high = float(ordered[lower]), float(ordered[upper])
    return low + (high - low) * (position - lower)


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
