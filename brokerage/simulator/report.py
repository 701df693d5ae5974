"""The simulator's report: times to award and start by urgency, discharge within 24 h, unplaced, Gini, travel, cost.

- placed: packages awarded at least once; escalations: rounds that ended unplaced;
- time to award: hours from arrival (submission) to award; time to start: days from arrival to the start
  date; both median and 90th percentile (nearest-rank), per urgency, over packages awarded in the run;
- hospital discharge within 24 h: the share of hospital-discharge arrivals awarded within 24 hours;
- unplaced at the end: arrivals with no provider when the run ends;
- Gini of awarded hours: over every provider (those awarded nothing count as 0), see `batch.fairness.gini`;
- travel: the mean office distance (miles) of awards;
- batch rounds: rounds opened with a batch allocation's first refusal; batch awards: those it won;
- weekly cost: the hours a week awarded times the scenario's hourly rate.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np

from brokerage.allocation.inputs import Urgency
from brokerage.batch.fairness import gini
from brokerage.simulator.model import Scenario


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    package: int
    urgency: Urgency
    hours: float
    provider_id: int
    arrived: datetime
    awarded: datetime
    started: datetime
    miles: float
    round: int
    batch: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class UrgencyTimes:
    urgency: str
    awarded: int
    award_hours_median: float | None
    award_hours_p90: float | None
    start_days_median: float | None
    start_days_p90: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    scenario: str
    arrivals: int
    awarded: int
    placed: int
    unplaced: int
    escalations: int
    award_hours_median: float | None
    by_urgency: tuple[UrgencyTimes, ...]
    discharge_within_24h: float | None
    gini_awarded_hours: float
    mean_miles: float | None
    weekly_hours: float
    weekly_cost: float
    batch_awards: int
    batch_rounds: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def nearest_rank(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def report(
    *,
    scenario: Scenario,
    outcomes: list[Outcome],
    arrivals: int,
    unplaced: int,
    awarded_hours_by_provider: dict[int, float],
    seconds: float,
    discharge_arrivals: int | None = None,
    escalations: int = 0,
    batch_rounds: int = 0,
) -> Report:
    rows = []
    for urgency in Urgency:
        mine = [o for o in outcomes if o.urgency is urgency]
        award = [(o.awarded - o.arrived).total_seconds() / 3600 for o in mine]
        start = [(o.started - o.arrived).total_seconds() / 86400 for o in mine]
        rows.append(
            UrgencyTimes(
                urgency=urgency.value,
                awarded=len(mine),
                award_hours_median=nearest_rank(award, 0.5),
                award_hours_p90=nearest_rank(award, 0.9),
                start_days_median=nearest_rank(start, 0.5),
                start_days_p90=nearest_rank(start, 0.9),
            )
        )
    discharge = [o for o in outcomes if o.urgency is Urgency.HOSPITAL_DISCHARGE]
    # A handed-back package is awarded again later: its first award is the one that counts.
    first_awards: dict[int, Outcome] = {}
    for o in discharge:
        first_awards.setdefault(o.package, o)
    within = sum(1 for o in first_awards.values() if (o.awarded - o.arrived).total_seconds() <= 24 * 3600)
    weekly_hours = sum(o.hours for o in outcomes)
    first: dict[int, Outcome] = {}
    for o in outcomes:
        first.setdefault(o.package, o)
    first_hours = [(o.awarded - o.arrived).total_seconds() / 3600 for o in first.values()]
    return Report(
        scenario=scenario.name,
        arrivals=arrivals,
        awarded=len(outcomes),
        placed=len(first),
        unplaced=unplaced,
        escalations=escalations,
        award_hours_median=statistics.median(first_hours) if first_hours else None,
        by_urgency=tuple(rows),
        discharge_within_24h=within / discharge_arrivals if discharge_arrivals else None,
        gini_awarded_hours=gini(np.asarray(list(awarded_hours_by_provider.values()), dtype=np.float64)),
        mean_miles=sum(o.miles for o in outcomes) / len(outcomes) if outcomes else None,
        weekly_hours=weekly_hours,
        weekly_cost=weekly_hours * scenario.hourly_rate,
        batch_awards=sum(1 for o in outcomes if o.batch),
        batch_rounds=batch_rounds,
        seconds=seconds,
    )
