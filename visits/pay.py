"""A pay run computed from its recorded inputs alone: pure Python and numpy, no ORM, so it can be recomputed.

``visits.selectors.pay_run_inputs`` gathers the inputs (plain JSON, stored on the ``PayRun``); ``pay_lines``
turns them into lines. The rules (README, "Pay runs"):

0. A provider is paid for its own days only: the days it held each package, by
   ``brokerage.changes.selectors.provider_periods`` (after re-brokering, the old provider's last days are its
   run, the new provider's days from its start are the new one's; nothing twice, nothing lost).
1. Planned visits are matched to actual ones (``visits.matching``) with the agreement's thresholds, within
   each (package, provider period).
2. What a visit pays, by the agreement's basis (minutes and carers; never more carers than planned):
   - ``planned``: the planned length of every visit delivered;
   - ``actual``: the actual length;
   - ``actual_capped``: the actual length, at most the planned;
   - ``actual_within_tolerance``: the planned length when the actual is no more than ``tolerance_minutes``
     short of it, else the actual (at most the planned).
   A missed visit pays nothing, unless its exception code is one the agreement pays as planned. An unplanned
   extra visit is listed at nothing, for the officer to review (a dispute can claim it).
3. A retained day (a suspension within its retainer days) pays its planned visits as planned.
4. Each line is costed by THE costing rule: ``contracts.costing.hours_by_service_type`` chooses the service
   type (double-handed, Housing with Care) and the paid hours, ``cost_of_days`` prices them at the rate in
   force on the visit's day. Each line is rounded to the penny, half up (``ROUND_HALF_UP``), and the run's
   total is the sum of its lines, so a statement always adds up to the total paid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np

from contracts import costing
from visits import matching

PLANNED = "planned"
ACTUAL = "actual"
ACTUAL_CAPPED = "actual_capped"
ACTUAL_WITHIN_TOLERANCE = "actual_within_tolerance"


@dataclass(frozen=True)
class _PaidVisit:
    day_of_week: int
    duration_minutes: int
    carers: int


@dataclass(frozen=True)
class LineResult:
    package: int
    day: date
    kind: str  # "visit" or "retainer"
    planned_start: datetime | None
    planned_minutes: int
    planned_carers: int
    actual_visit: int | None
    actual_minutes: int | None
    actual_carers: int | None
    flags: tuple[str, ...]
    service_type: str
    paid_hours: Decimal
    hourly_rate: Decimal | None
    amount: Decimal


def epoch_minutes(value: datetime) -> int:
    return int(value.timestamp() // 60)


def match_key(row: Mapping[str, Any]) -> int:
    """What planned and actual visits are matched within: the provider period (the award, an offer id) the
    visit falls in, so a package that changed provider is matched per (package, provider period). Inputs
    recorded before periods (version 1) carry only the package."""
    return int(row.get("period", row["package"]))


def _when(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def rate_steps(rates: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[costing.RateStep]]:
    return {
        service: [costing.RateStep(date.fromisoformat(day), Decimal(rate)) for day, rate in steps]
        for service, steps in rates.items()
    }


def paid_minutes(*, basis: str, planned: int, actual: int, tolerance: int) -> int:
    if basis == PLANNED:
        return planned
    if basis == ACTUAL:
        return actual
    if basis == ACTUAL_CAPPED:
        return min(actual, planned)
    if basis == ACTUAL_WITHIN_TOLERANCE:
        return planned if actual >= planned - tolerance else min(actual, planned)
    raise ValueError(f"Unknown pay basis {basis!r}.")


def _price(
    *, day: date, minutes: int, carers: int, housing_with_care: bool, steps: Mapping[str, Sequence[costing.RateStep]]
) -> tuple[str, Decimal, Decimal | None, Decimal]:
    """Service type, paid hours, rate and amount of one visit, all by the one costing rule."""
    if minutes <= 0 or carers <= 0:
        return "", Decimal(0), None, Decimal("0.00")
    by_type = costing.hours_by_service_type(
        [_PaidVisit(day.weekday(), minutes, carers)], housing_with_care=housing_with_care, rated_types=steps
    )
    ((service_type, by_day),) = by_type.items()
    hours = by_day[day.weekday()]
    if service_type not in steps:
        raise costing.NoRateInForce(f"No {service_type.replace('_', ' ')} fee rate is set.")
    amount = costing.cost_of_days({day: hours}, steps[service_type])
    return service_type, hours, costing.rate_on(steps[service_type], day), amount


def pay_lines(inputs: Mapping[str, Any]) -> list[LineResult]:
    rules = inputs["rules"]
    steps = rate_steps(inputs["rates"])
    basis = rules["pay_basis"]
    tolerance = int(rules["tolerance_minutes"])
    paid_codes = {code for code, spec in rules["exception_codes"].items() if spec.get("pay_as_planned")}
    hwc = {int(k): bool(v) for k, v in inputs["housing_with_care"].items()}
    planned_rows = inputs["planned"]
    actual_rows = inputs["actuals"]

    delivered = [row for row in planned_rows if not row["retained"]]
    planned = matching.Planned(
        package=np.array([match_key(row) for row in delivered], dtype=np.int64),
        start=np.array([epoch_minutes(datetime.fromisoformat(row["start"])) for row in delivered], dtype=np.int64),
        minutes=np.array([row["minutes"] for row in delivered], dtype=np.int64),
        carers=np.array([row["carers"] for row in delivered], dtype=np.int64),
    )

    def minutes_or_not_made(raw: str | None) -> int:
        when = _when(raw)
        return epoch_minutes(when) if when is not None else matching.NOT_MADE

    actual = matching.Actual(
        package=np.array([match_key(row) for row in actual_rows], dtype=np.int64),
        check_in=np.array([minutes_or_not_made(row["check_in"]) for row in actual_rows], dtype=np.int64),
        minutes=np.array([row["minutes"] or 0 for row in actual_rows], dtype=np.int64),
        carers=np.array([row["carers"] for row in actual_rows], dtype=np.int64),
        planned_start=np.array([minutes_or_not_made(row["planned_start"]) for row in actual_rows], dtype=np.int64),
    )
    thresholds = matching.Thresholds(
        window=int(rules["match_window_minutes"]),
        late_after=int(rules["late_after_minutes"]),
        short_below_percent=int(rules["short_below_percent"]),
    )
    result = matching.match(planned, actual, thresholds)

    lines: list[LineResult] = []
    for index, row in enumerate(delivered):
        day = date.fromisoformat(row["day"])
        a = int(result.actual_of_planned[index])
        actual_row = actual_rows[a] if a >= 0 else None
        flags = tuple(
            name
            for name, array in (
                ("missed", result.missed),
                ("late", result.late),
                ("short", result.short),
                ("fewer_carers", result.fewer_carers),
            )
            if array[index]
        )
        code = actual_row["exception_code"] if actual_row is not None else ""
        if "missed" in flags or actual_row is None:
            pay_as_planned = code in paid_codes
            minutes = row["minutes"] if pay_as_planned else 0
            carers = row["carers"] if pay_as_planned else 0
        else:
            minutes = paid_minutes(
                basis=basis, planned=row["minutes"], actual=actual_row["minutes"], tolerance=tolerance
            )
            carers = min(row["carers"], actual_row["carers"]) if basis != PLANNED else row["carers"]
        service_type, hours, rate, amount = _price(
            day=day, minutes=minutes, carers=carers, housing_with_care=hwc[row["package"]], steps=steps
        )
        lines.append(
            LineResult(
                package=row["package"],
                day=day,
                kind="visit",
                planned_start=datetime.fromisoformat(row["start"]),
                planned_minutes=row["minutes"],
                planned_carers=row["carers"],
                actual_visit=actual_row["id"] if actual_row is not None else None,
                actual_minutes=actual_row["minutes"] if actual_row is not None and actual_row["check_in"] else None,
                actual_carers=actual_row["carers"] if actual_row is not None and actual_row["check_in"] else None,
                flags=(*flags, *((f"code:{code}",) if code else ())),
                service_type=service_type,
                paid_hours=hours,
                hourly_rate=rate,
                amount=amount,
            )
        )
    for row in planned_rows:
        if not row["retained"]:
            continue
        day = date.fromisoformat(row["day"])
        service_type, hours, rate, amount = _price(
            day=day, minutes=row["minutes"], carers=row["carers"], housing_with_care=hwc[row["package"]], steps=steps
        )
        lines.append(
            LineResult(
                package=row["package"],
                day=day,
                kind="retainer",
                planned_start=datetime.fromisoformat(row["start"]),
                planned_minutes=row["minutes"],
                planned_carers=row["carers"],
                actual_visit=None,
                actual_minutes=None,
                actual_carers=None,
                flags=("retainer",),
                service_type=service_type,
                paid_hours=hours,
                hourly_rate=rate,
                amount=amount,
            )
        )
    for extra_index in np.flatnonzero(result.extra).tolist():
        row = actual_rows[extra_index]
        lines.append(
            LineResult(
                package=row["package"],
                day=date.fromisoformat(row["day"]),
                kind="visit",
                planned_start=None,
                planned_minutes=0,
                planned_carers=0,
                actual_visit=row["id"],
                actual_minutes=row["minutes"],
                actual_carers=row["carers"],
                flags=("extra",),
                service_type="",
                paid_hours=Decimal(0),
                hourly_rate=None,
                amount=Decimal("0.00"),
            )
        )
    lines.sort(key=lambda line: (line.package, line.day, line.planned_start.isoformat() if line.planned_start else "~"))
    return lines


def total_of(lines: Sequence[LineResult]) -> Decimal:
    return sum((line.amount for line in lines), start=Decimal("0.00"))
