"""Replay demand through the real engine and policy state machine: a discrete-event simulation, no ORM.

Every package is ranked with `rank_providers` against the providers' candidates as they stand at that moment
(capacity goes down with each award and back up when care ends or is handed back), and its offers follow
`next_actions`, exactly the calls `brokerage.services.brokering` makes. What the database does around them
is modelled:

- a SendOffers action samples each provider's answer from its `Behaviour` (answer at all, when, accept or
  decline given distance and hours); an answer after the deadline is never given (the offer expires); an
  acceptance proposes a start some days after the earliest asked for (`Behaviour.start_lead_days`);
- deadlines count working hours for the scenario's `working_hours_only` urgencies (`contracts.working_time`),
  and "today" is the UK day, as in the services;
- Award takes the hours from the provider's capacity in the area (floored at 0, like `award_locked`), and
  schedules care to end (`Arrival.care_days`) and, with the provider's hand-back rate, a hand-back within
  90 days, which opens a new round without that provider;
- Escalate leaves the package unplaced; the CCC re-brokers it after `ccc_rebroker_hours` (give or take
  `ccc_rebroker_spread_hours`, uniformly), up to `max_rounds` rounds, or, with batch allocation on, the next
  batch run proposes a provider for it, which gets first refusal in the new round
  (`next_actions(first_refusal=...)`).

Seeded (`World.seed`): the same world and scenario give the same report.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial

from brokerage.allocation.geography import nearest_miles
from brokerage.allocation.inputs import AreaCapacity, Isa, ProviderCandidate, Urgency
from brokerage.allocation.policies import (
    Award,
    Escalate,
    ExpireOffers,
    OfferRecord,
    OfferStatus,
    PolicySettings,
    SendOffers,
    WaitUntil,
    next_actions,
)
from brokerage.allocation.ranking import rank_providers
from brokerage.allocation.results import Ranking
from brokerage.batch import BatchPackage, BatchSettings, build_problem, solve
from brokerage.rotafit import RunVisit, rota_fit
from brokerage.simulator.model import RESPONSE_SPREAD, Scenario, World
from brokerage.simulator.report import Outcome, Report, report
from contracts import working_time

HAND_BACK_WITHIN_DAYS = 90


@dataclass(slots=True)
class _Package:
    index: int
    isa: Isa
    arrived: datetime
    care_days: float
    round: int = 0
    ranking: Ranking | None = None
    offers: dict[int, OfferRecord] = field(default_factory=dict)
    offered: list[int] = field(default_factory=list)  # every offer it had, in any round (by provider)
    refused: set[int] = field(default_factory=set)
    first_refusal: int | None = None
    waiting_until: datetime | None = None
    awarded_to: int | None = None
    awarded_at: datetime | None = None
    start_on: datetime | None = None
    miles: float | None = None
    unplaced: bool = False
    done: bool = False


def _local_day(now: datetime) -> date:
    """The day in the UK, as the services' ``timezone.localdate`` reads it."""
    return now.astimezone(working_time.UK).date()


class _Simulation:
    def __init__(self, world: World, scenario: Scenario, progress: Callable[[float], None] | None) -> None:
        self.world = world
        self.scenario = scenario
        self.rng = random.Random(world.seed)  # noqa: S311 - a reproducible simulation, not a secret
        self.progress = progress
        self.queue: list[tuple[datetime, int, str, int, int]] = []
        self.sequence = itertools.count()
        self.providers = {p.candidate.provider_id: p for p in world.providers}
        self.capacity: dict[int, dict[str, float]] = {
            pid: {a.area_code: a.hours_available * scenario.capacity_factor for a in p.candidate.areas}
            for pid, p in self.providers.items()
        }
        self.recent: dict[int, int] = {pid: p.candidate.recent_awards for pid, p in self.providers.items()}
        self.candidates: dict[int, ProviderCandidate] = {pid: self._candidate(pid) for pid in self.providers}
        self.runs: dict[int, dict[int, tuple[RunVisit, ...]]] = {pid: {} for pid in self.providers}
        self.packages: list[_Package] = []
        self.outcomes: list[Outcome] = []
        self.escalations = 0
        self.batch_rounds = 0
        self.settings = {
            urgency: PolicySettings(
                kind=scenario.policy,
                response_window=timedelta(hours=hours),
                deadline_after=(
                    partial(working_time.deadline_after, working_hours_only=True)
                    if urgency in scenario.working_hours_only
                    else None
                ),
            )
            for urgency, hours in scenario.windows_hours.items()
        }

    # --- state -------------------------------------------------------------------------------------
    def _candidate(self, provider_id: int) -> ProviderCandidate:
        base = self.providers[provider_id].candidate
        areas = tuple(AreaCapacity(area_code=code, hours_available=h) for code, h in self.capacity[provider_id].items())
        return replace(base, areas=areas, recent_awards=self.recent[provider_id])

    def _refresh(self, provider_id: int) -> None:
        self.candidates[provider_id] = self._candidate(provider_id)

    def at(self, when: datetime, kind: str, package: int, value: int = 0) -> None:
        heapq.heappush(self.queue, (when, next(self.sequence), kind, package, value))

    def _pool(self, package: _Package) -> list[ProviderCandidate]:
        pool = [
            replace(candidate, declined=True) if candidate.provider_id in package.refused else candidate
            for candidate in self.candidates.values()
        ]
        if not self.scenario.rota_fit:
            return pool
        fitted = []
        for candidate in pool:
            if candidate.hours_available_in(package.isa.area_code) is None:
                fitted.append(candidate)
                continue
            runs = tuple(v for visits in self.runs[candidate.provider_id].values() for v in visits)
            fit = rota_fit(package.isa, provider_id=candidate.provider_id, offices=candidate.locations, runs=runs)
            fitted.append(replace(candidate, locality_miles=fit.extra_miles))
        return fitted

    # --- events ------------------------------------------------------------------------------------
    def start_round(self, package: _Package, now: datetime, *, first_refusal: int | None = None) -> None:
        package.round += 1
        package.offers = {}
        package.unplaced = False
        package.first_refusal = first_refusal
        ranking = rank_providers(package.isa, self._pool(package), as_of=_local_day(now))
        if self.scenario.offers_per_round is not None:
            keep = self.scenario.offers_per_round
            if first_refusal is not None and ranking.entry_for(first_refusal) is not None:
                keep += 1
            ranking = ranking.with_ranked(ranking.ranked[:keep])
        package.ranking = ranking
        if first_refusal is not None and ranking.entry_for(first_refusal) is not None:
            self.batch_rounds += 1
        self.evaluate(package, now)

    def evaluate(self, package: _Package, now: datetime) -> None:
        ranking = package.ranking
        if ranking is None:  # not yet ranked: nothing to evaluate
            return
        for _ in range(50):
            actions = next_actions(
                settings=self.settings[package.isa.urgency],
                ranking=ranking,
                offers=tuple(package.offers.values()),
                now=now,
                first_refusal=package.first_refusal,
            )
            changed = False
            for action in actions:
                if isinstance(action, SendOffers):
                    for pid in action.provider_ids:
                        package.offered.append(pid)
                        package.offers[pid] = OfferRecord(
                            provider_id=pid, status=OfferStatus.PENDING, sent_at=now, deadline=action.deadline
                        )
                        self._answer(package, pid, now, action.deadline)
                    changed = True
                elif isinstance(action, ExpireOffers):
                    for pid in action.provider_ids:
                        old = package.offers[pid]
                        package.offers[pid] = replace(old, status=OfferStatus.EXPIRED)
                    changed = True
                elif isinstance(action, Award):
                    self._award(package, action, now)
                    return
                elif isinstance(action, Escalate):
                    self._escalate(package, now)
                    return
                elif isinstance(action, WaitUntil) and package.waiting_until != action.at:
                    package.waiting_until = action.at
                    self.at(action.at, "timer", package.index, package.round)
            if not changed:
                return

    def _answer(self, package: _Package, provider_id: int, now: datetime, deadline: datetime) -> None:
        behaviour = self.providers[provider_id].behaviour
        if self.rng.random() >= behaviour.respond_rate:
            return
        delay = timedelta(hours=self.rng.lognormvariate(0, RESPONSE_SPREAD) * behaviour.median_response_hours)
        if now + delay >= deadline:
            return
        miles = nearest_miles(package.isa.location, self.providers[provider_id].candidate.locations)
        accept = self.rng.random() < behaviour.accept_probability(miles=miles, hours=package.isa.hours_per_week)
        self.at(now + delay, "accept" if accept else "decline", package.index, provider_id * 1000 + package.round)

    def on_response(self, package: _Package, provider_id: int, accepted: bool, now: datetime) -> None:
        offer = package.offers.get(provider_id)
        if offer is None or offer.status is not OfferStatus.PENDING or package.awarded_to is not None:
            return
        if accepted:
            leads = self.providers[provider_id].behaviour.start_lead_days
            if leads:  # as the provider proposed in history: days after the earliest day it was asked for
                start = max(package.isa.requested_start, _local_day(now)) + timedelta(days=self.rng.choice(leads))
            else:
                start = max(package.isa.requested_start, _local_day(now) + timedelta(days=1))
            package.offers[provider_id] = replace(offer, status=OfferStatus.ACCEPTED, proposed_start=start)
        else:
            package.offers[provider_id] = replace(offer, status=OfferStatus.DECLINED)
            package.refused.add(provider_id)
        self.evaluate(package, now)

    def _award(self, package: _Package, action: Award, now: datetime) -> None:
        pid = action.provider_id
        package.awarded_to = pid
        package.awarded_at = now
        package.start_on = datetime.combine(action.start_on, now.timetz())
        package.miles = nearest_miles(package.isa.location, self.providers[pid].candidate.locations)
        area = package.isa.area_code
        self.capacity[pid][area] = max(self.capacity[pid].get(area, 0.0) - package.isa.hours_per_week, 0.0)
        self.recent[pid] += 1
        self.runs[pid][package.index] = tuple(
            RunVisit(
                location=package.isa.location, weekday=v.weekday, window_start=v.window_start, window_end=v.window_end
            )
            for v in package.isa.visits
        )
        self._refresh(pid)
        self.outcomes.append(
            Outcome(
                package=package.index,
                urgency=package.isa.urgency,
                hours=package.isa.hours_per_week,
                provider_id=pid,
                arrived=package.arrived,
                awarded=now,
                started=package.start_on,
                miles=package.miles,
                round=package.round,
                batch=package.first_refusal == pid,
            )
        )
        if self.rng.random() < self.providers[pid].behaviour.hand_back_rate:
            self.at(now + timedelta(days=self.rng.uniform(7, HAND_BACK_WITHIN_DAYS)), "hand_back", package.index, pid)
        else:
            self.at(now + timedelta(days=package.care_days), "end", package.index, pid)

    def _release(self, package: _Package, provider_id: int) -> None:
        area = package.isa.area_code
        if self.scenario.restore_capacity and area in self.capacity[provider_id]:
            self.capacity[provider_id][area] += package.isa.hours_per_week
        self.runs[provider_id].pop(package.index, None)
        self._refresh(provider_id)

    def _escalate(self, package: _Package, now: datetime) -> None:
        self.escalations += 1
        package.unplaced = True
        package.waiting_until = None
        spread = self.scenario.ccc_rebroker_spread_hours
        delay = self.scenario.ccc_rebroker_hours + (self.rng.uniform(-spread, spread) if spread else 0.0)
        later = now + timedelta(hours=delay)
        if self.rng.random() < self.scenario.ccc_manual_award_share or (
            self.scenario.ccc_manual_award_share and package.round >= self.scenario.max_rounds
        ):
            # The demo's CCC phones round half the time, and always after the last round.
            self.at(later, "manual", package.index, package.round)
        elif not self.scenario.batch and package.round < self.scenario.max_rounds:
            self.at(later, "rebroker", package.index, package.round)

    def manual_award(self, package: _Package, now: datetime) -> None:
        """The CCC places the package by phone with one of the providers it was offered to in any round (as in
        the demo)."""
        offered = package.offered or sorted(self.providers)[:5]
        chosen = self.rng.choice(offered)
        start = max(package.isa.requested_start, _local_day(now))
        package.unplaced = False
        if chosen not in package.offers:  # the CCC's award is an offer of this round too
            package.offered.append(chosen)
        self._award(package, Award(provider_id=chosen, start_on=start, withdraw=(), reason="CCC by phone"), now)

    def batch_run(self, now: datetime) -> None:
        backlog = [p for p in self.packages if p.unplaced and not p.done and p.round < self.scenario.max_rounds]
        if backlog:
            entries = [
                BatchPackage(
                    isa=replace(p.isa, reference=f"{p.isa.reference}#{p.index}"),
                    candidates=self._pool(p),
                )
                for p in backlog
            ]
            problem = build_problem(entries, as_of=_local_day(now))
            solution = solve(problem, BatchSettings(fairness_weight=self.scenario.fairness_weight))
            for i, package in enumerate(backlog):
                k = int(solution.package_pair[i])
                chosen = int(problem.provider_ids[problem.pair_provider[k]]) if k >= 0 else None
                self.start_round(package, now, first_refusal=chosen)
        self.at(now + timedelta(hours=self.scenario.batch_every_hours), "batch", -1)

    def run(self) -> list[_Package]:
        for index, arrival in enumerate(self.world.demand):
            package = _Package(index=index, isa=arrival.isa, arrived=arrival.at, care_days=arrival.care_days)
            self.packages.append(package)
            self.at(arrival.at, "arrive", index)
        if self.scenario.batch:
            self.at(self.world.start + timedelta(hours=self.scenario.batch_every_hours), "batch", -1)
        total = len(self.world.demand) or 1
        arrived = 0
        while self.queue:
            now, _, kind, index, value = heapq.heappop(self.queue)
            if now > self.world.end:
                break
            if kind == "batch":
                self.batch_run(now)
                continue
            package = self.packages[index]
            if kind == "arrive":
                arrived += 1
                if self.progress and arrived % 500 == 0:
                    self.progress(arrived / total)
                self.start_round(package, now)
            elif kind == "timer":
                if value == package.round and package.awarded_to is None and not package.unplaced:
                    package.waiting_until = None
                    self.evaluate(package, now)
            elif kind in ("accept", "decline"):
                provider_id, round_number = divmod(value, 1000)
                if round_number == package.round:
                    self.on_response(package, provider_id, kind == "accept", now)
            elif kind == "manual":
                if package.unplaced and value == package.round:
                    self.manual_award(package, now)
            elif kind == "rebroker":
                if package.unplaced and value == package.round:
                    self.start_round(package, now)
            elif kind == "hand_back":
                self._release(package, value)
                package.refused.add(value)
                package.awarded_to = None
                self.start_round(package, now)
            elif kind == "end":
                self._release(package, value)
                package.done = True
        return self.packages


def simulate(world: World, scenario: Scenario, *, progress: Callable[[float], None] | None = None) -> Report:
    """Run `scenario` over `world` and report on it (see `report`)."""
    started = time.perf_counter()
    simulation = _Simulation(world, scenario, progress)
    packages = simulation.run()
    unplaced = sum(1 for p in packages if p.awarded_to is None and p.arrived <= world.end)
    live_hours = dict.fromkeys(simulation.providers, 0.0)
    for outcome in simulation.outcomes:
        live_hours[outcome.provider_id] += outcome.hours
    return report(
        scenario=scenario,
        outcomes=simulation.outcomes,
        arrivals=len(packages),
        unplaced=unplaced,
        awarded_hours_by_provider=live_hours,
        seconds=time.perf_counter() - started,
        escalations=simulation.escalations,
        batch_rounds=simulation.batch_rounds,
        discharge_arrivals=sum(1 for a in world.demand if a.isa.urgency is Urgency.HOSPITAL_DISCHARGE),
    )
