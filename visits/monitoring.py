"""Contract monitoring: how visits were delivered, per package, from the same inputs and matching as pay runs.

Pure Python and numpy over ``visits.selectors.pay_run_inputs`` (no ORM), so the figures an officer sees and the
pay run an officer approves can never disagree about which visits were missed or late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np

from visits import matching
from visits.pay import epoch_minutes, match_key

HOUR = Decimal(60)


@dataclass
class Figures:
    """Counts for a package, or summed over many (a provider, an area)."""

    planned: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    short: int = 0
    fewer_carers: int = 0
    extra: int = 0
    commissioned_hours: Decimal = Decimal(0)
    delivered_hours: Decimal = Decimal(0)
    carers: set[str] = field(default_factory=set)  # pseudonyms; only for one package
    people: int = 0
    distinct_carers_sum: int = 0
    missed_days: list[date] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name in ("planned", "on_time", "late", "missed", "short", "fewer_carers", "extra"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.commissioned_hours += other.commissioned_hours
        self.delivered_hours += other.delivered_hours
        self.people += other.people or 1
        self.distinct_carers_sum += other.distinct_carers_sum or len(other.carers)

    def share(self, name: str) -> float:
        return 100.0 * getattr(self, name) / self.planned if self.planned else 0.0

    @property
    def on_time_share(self) -> float:
        return self.share("on_time")

    @property
    def late_share(self) -> float:
        return self.share("late")

    @property
    def missed_share(self) -> float:
        return self.share("missed")

    @property
    def short_share(self) -> float:
        return self.share("short")

    @property
    def carers_per_person(self) -> float:
        """Continuity: distinct carers each person saw in the period, on average (fewer is better)."""
        people = self.people or 1
        return (self.distinct_carers_sum or len(self.carers)) / people

    @property
    def delivered_share(self) -> float:
        if not self.commissioned_hours:
            return 0.0
        return float(100 * self.delivered_hours / self.commissioned_hours)


def package_figures(inputs: Mapping[str, Any]) -> dict[int, Figures]:
    """Per package: planned visits and how each went, carer hours commissioned and delivered, carers seen."""
    rules = inputs["rules"]
    planned_rows = [row for row in inputs["planned"] if not row["retained"]]
    actual_rows = inputs["actuals"]

    def minutes_or_not_made(raw: str | None) -> int:
        return epoch_minutes(datetime.fromisoformat(raw)) if raw else matching.NOT_MADE

    planned = matching.Planned(
        package=np.array([match_key(r) for r in planned_rows], dtype=np.int64),
        start=np.array([minutes_or_not_made(r["start"]) for r in planned_rows], dtype=np.int64),
        minutes=np.array([r["minutes"] for r in planned_rows], dtype=np.int64),
        carers=np.array([r["carers"] for r in planned_rows], dtype=np.int64),
    )
    actual = matching.Actual(
        package=np.array([match_key(r) for r in actual_rows], dtype=np.int64),
        check_in=np.array([minutes_or_not_made(r["check_in"]) for r in actual_rows], dtype=np.int64),
        minutes=np.array([r["minutes"] or 0 for r in actual_rows], dtype=np.int64),
        carers=np.array([r["carers"] for r in actual_rows], dtype=np.int64),
        planned_start=np.array([minutes_or_not_made(r["planned_start"]) for r in actual_rows], dtype=np.int64),
    )
    thresholds = matching.Thresholds(
        window=int(rules["match_window_minutes"]),
        late_after=int(rules["late_after_minutes"]),
        short_below_percent=int(rules["short_below_percent"]),
    )
    result = matching.match(planned, actual, thresholds)
    figures: dict[int, Figures] = {}
    for index, row in enumerate(planned_rows):
        f = figures.setdefault(row["package"], Figures())
        f.planned += 1
        f.commissioned_hours += Decimal(row["minutes"] * row["carers"]) / HOUR
        if result.missed[index]:
            f.missed += 1
            f.missed_days.append(date.fromisoformat(row["day"]))
            continue
        f.late += int(result.late[index])
        f.on_time += int(not result.late[index])
        f.short += int(result.short[index])
        f.fewer_carers += int(result.fewer_carers[index])
    for index, row in enumerate(actual_rows):
        f = figures.setdefault(row["package"], Figures())
        if row["check_in"]:
            f.delivered_hours += Decimal((row["minutes"] or 0) * row["carers"]) / HOUR
            f.carers.update(row.get("carer_pseudonyms", "").split())
        f.extra += int(result.extra[index])
    for f in figures.values():
        f.people = 1
        f.distinct_carers_sum = len(f.carers)
    return figures


def total(figures: Iterable[Figures]) -> Figures:
    summed = Figures()
    for f in figures:
        summed.add(f)
    return summed
