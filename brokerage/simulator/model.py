"""What a simulation is given: a scenario (the agreement's settings), providers with behaviour, and demand.

Plain frozen data, no ORM. `brokerage.services.simulation` builds these from the database (the demo's
providers, capacity and history); `demand.generate` makes Leeds-scale demand when there is no history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from brokerage.allocation.inputs import Isa, ProviderCandidate, Urgency
from brokerage.allocation.policies import PolicyKind

# The spread (sigma of the log) of a provider's response times about its median: the response model's shape,
# used by the simulation and assumed by the calibration.
RESPONSE_SPREAD = 0.9


class ScenarioError(ValueError):
    """A scenario's settings break one of their invariants."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Agreement settings to try. Windows are hours per urgency; `offers_per_round` limits how many of the
    top-ranked providers one round offers to (None = all eligible). `capacity_factor` scales every declared
    capacity. Batch allocation, when on, runs every `batch_every_hours` over the unplaced packages and gives
    each proposed provider first refusal. `ccc_rebroker_hours` is how long the CCC takes to re-broker an
    unplaced package, up to `max_rounds` rounds."""

    name: str
    policy: PolicyKind = PolicyKind.RANKED_DPS
    windows_hours: dict[Urgency, float] = field(default_factory=lambda: dict.fromkeys(Urgency, 24.0))
    offers_per_round: int | None = None
    rota_fit: bool = False
    batch: bool = False
    batch_every_hours: float = 24.0
    fairness_weight: int = 10
    capacity_factor: float = 1.0
    ccc_rebroker_hours: float = 24.0
    # The CCC's delay is uniform within this many hours either side of `ccc_rebroker_hours` (0: always that).
    ccc_rebroker_spread_hours: float = 0.0
    # Urgencies whose response windows count working hours only (09:00-17:00 UK, weekdays, not bank holidays).
    working_hours_only: frozenset[Urgency] = frozenset()
    ccc_manual_award_share: float = 0.0
    max_rounds: int = 4
    restore_capacity: bool = True
    hourly_rate: float = 23.50

    def __post_init__(self) -> None:
        if any(not math.isfinite(h) or h <= 0 for h in self.windows_hours.values()):
            raise ScenarioError("response windows must be positive hours")
        if set(self.windows_hours) != set(Urgency):
            raise ScenarioError("a response window is needed for every urgency")
        if self.offers_per_round is not None and self.offers_per_round < 1:
            raise ScenarioError("offers per round must be at least 1")
        if not 0 <= self.ccc_rebroker_spread_hours <= self.ccc_rebroker_hours:
            raise ScenarioError("the CCC's delay spread must be between 0 and its mean")
        if self.capacity_factor < 0 or self.batch_every_hours <= 0 or self.max_rounds < 1:
            raise ScenarioError("capacity factor, batch interval and rounds must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class Behaviour:
    """How one provider answers offers: the chance it answers at all, its median response time, and its
    acceptance odds (logit) at `miles_at` and `hours_at` (3 miles and 10 hours a week unless calibrated);
    `distance_slope` and `hours_slope` (per mile and per hour, shared) move the odds for other packages.
    `hand_back_rate` is the share of its awards it hands back (within 90 days). `start_lead_days` are the days
    its accepted offers proposed to start after the earliest day asked for, drawn from at random (empty: the
    next day at the earliest)."""

    respond_rate: float
    median_response_hours: float
    accept_logit: float
    distance_slope: float = 0.0
    hours_slope: float = 0.0
    hand_back_rate: float = 0.0
    start_lead_days: tuple[int, ...] = ()
    # Where `accept_logit` applies: calibration sets these to the history's mean distance and hours.
    miles_at: float = 3.0
    hours_at: float = 10.0

    def accept_probability(self, *, miles: float, hours: float) -> float:
        z = (
            self.accept_logit
            + self.distance_slope * (miles - self.miles_at)
            + self.hours_slope * (hours - self.hours_at)
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, slots=True, kw_only=True)
class SimProvider:
    candidate: ProviderCandidate
    behaviour: Behaviour


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrival:
    at: datetime
    isa: Isa
    care_days: float = 180.0


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    providers: tuple[SimProvider, ...]
    demand: tuple[Arrival, ...]
    start: datetime
    end: datetime
    seed: int = 14
