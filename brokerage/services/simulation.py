"""The policy simulator's database side: worlds from history, scenarios queued and run, results stored.

The simulation itself is ``brokerage.simulator`` (pure). Here:

- ``history_world`` reads an agreement's providers (as the engine sees them, capacity restored to what it
  was before the awarded packages took it), its submitted packages in a period as demand, and calibrates
  each provider's behaviour from its offers (``simulator.calibrate``);
- ``history_figures`` measures the same history the way the simulator reports, so the two can be compared;
- ``simulation_request`` / ``simulation_run`` queue a scenario and run it in a task with progress.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from brokerage.allocation.geography import nearest_miles
from brokerage.allocation.inputs import AllocationInputError, AreaCapacity, Urgency
from brokerage.allocation.policies import PolicyKind
from brokerage.allocation.replay import inputs_from_dict
from brokerage.allocation_rows import engine_inputs_for, isa_for_engine
from brokerage.models import (
    AllocationRun,
    CarePackage,
    HandBack,
    Offer,
    OfferStatusChange,
    PackageStatusChange,
    SimulationRun,
)
from brokerage.simulator import Arrival, Scenario, SimProvider, World, generate, simulate
from brokerage.simulator.calibrate import OfferObservation, calibrate
from contracts.models import Agreement
from contracts.selectors import urgency_terms
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.queue import enqueue_on_commit

RUN_SIMULATION_TASK = "brokerage.tasks.run_simulation"
_ANSWERED = (Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.AWARDED, Offer.Status.NOT_SELECTED)
_ACCEPTED = (Offer.Status.ACCEPTED, Offer.Status.AWARDED, Offer.Status.NOT_SELECTED)


class SimulationRefused(ValueError):
    pass


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    data = asdict(scenario)
    data["policy"] = scenario.policy.value
    data["windows_hours"] = {urgency.value: hours for urgency, hours in scenario.windows_hours.items()}
    data["working_hours_only"] = sorted(urgency.value for urgency in scenario.working_hours_only)
    return data


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    values = dict(data)
    values["policy"] = PolicyKind(values["policy"])
    values["windows_hours"] = {Urgency(k): float(v) for k, v in values["windows_hours"].items()}
    values["working_hours_only"] = frozenset(Urgency(v) for v in values.get("working_hours_only", ()))
    return Scenario(**values)


def _history_packages(agreement: Agreement, start: datetime, end: datetime) -> list[CarePackage]:
    return list(
        CarePackage.objects.filter(
            agreement=agreement,
            submitted_at__gte=start,
            submitted_at__lt=end,
            locality_area__isnull=False,
            latitude__isnull=False,
        )
        .select_related("agreement", "locality_area", "lot")
        .prefetch_related("visits")
        .order_by("submitted_at", "pk")
    )


def history_world(*, agreement: Agreement, start: datetime, end: datetime, seed: int = 14) -> World:
    packages = _history_packages(agreement, start, end)
    if not packages:
        raise SimulationRefused("No submitted packages in that period to replay.")
    candidates = engine_inputs_for(packages[0], as_of=timezone.localdate(start)).candidates
    # The capacity each provider had when the period's brokering began is in the first ranking that saw it
    # (every run stores the engine's inputs). Failing that, today's plus what the period's awards took; only
    # a fallback, as an award takes hours only down to nothing, so adding them back can overstate it.
    first_seen: dict[int, dict[str, float]] = {}
    for document in (
        AllocationRun.objects.filter(package__in=packages, ranked_at__lt=end)
        .order_by("ranked_at", "pk")
        .values_list("inputs", flat=True)
    ):
        try:
            stored = inputs_from_dict(document)
        except AllocationInputError:  # a run stored under another format: the fallback below covers it
            continue
        for seen in stored.candidates:
            first_seen.setdefault(seen.provider_id, {a.area_code: float(a.hours_available) for a in seen.areas})
        if len(first_seen) >= len(candidates):
            break
    taken: dict[tuple[int, str], float] = {}
    for offer in Offer.objects.filter(package__in=packages, status=Offer.Status.AWARDED).select_related(
        "package__locality_area"
    ):
        area = offer.package.locality_area
        if area is not None:
            key = (offer.provider_id, area.code)
            taken[key] = taken.get(key, 0.0) + float(offer.package.hours_per_week)
    # Offers the policy sent (a run made them): a CCC's manual award also makes an offer row, answered at once.
    # Each offer's own story is in its status changes: the provider's answer (accepted or declined, once, from
    # pending) and, for an offer never answered, when it stopped being open (expired, withdrawn, not selected).
    offers = Offer.objects.filter(package__in=packages, run__isnull=False, sent_at__lt=end).select_related("package")
    answers: dict[int, tuple[str, datetime]] = {}
    closes: dict[int, datetime] = {}
    for offer_id, to_status, changed_at in OfferStatusChange.objects.filter(
        offer__in=offers, from_status=Offer.Status.PENDING, changed_at__lt=end
    ).values_list("offer_id", "to_status", "changed_at"):
        if to_status in (Offer.Status.ACCEPTED, Offer.Status.DECLINED):
            answers.setdefault(offer_id, (to_status, changed_at))
        else:
            closes.setdefault(offer_id, changed_at)
    by_package = {package.pk: package for package in packages}
    located = {c.provider_id: c for c in candidates}
    observations = []
    for offer in offers:
        candidate = located.get(offer.provider_id)
        package = by_package[offer.package_id]
        if candidate is None or package.latitude is None:
            continue
        isa = isa_for_engine(package)
        answer = answers.get(offer.pk)
        lead = None
        if answer is not None and answer[0] == Offer.Status.ACCEPTED and offer.proposed_start_on is not None:
            earliest = max(package.requested_start_on, timezone.localdate(answer[1]))
            lead = max((offer.proposed_start_on - earliest).days, 0)
        closed = closes.get(offer.pk) or min(offer.respond_by or end, end)
        observations.append(
            OfferObservation(
                provider_id=offer.provider_id,
                answered=answer is not None,
                accepted=answer is not None and answer[0] == Offer.Status.ACCEPTED,
                response_hours=(answer[1] - offer.sent_at).total_seconds() / 3600 if answer else None,
                exposure_hours=(closed - offer.sent_at).total_seconds() / 3600 if answer is None else None,
                start_lead_days=lead,
                miles=nearest_miles(isa.location, candidate.locations),
                hours=float(package.hours_per_week),
            )
        )
    awards = Offer.objects.filter(package__in=packages, status=Offer.Status.AWARDED).count() or 1
    hand_backs = HandBack.objects.filter(package__in=packages).count()
    behaviour = calibrate(observations, provider_ids=located, awards=awards, hand_backs=hand_backs)
    providers = tuple(
        SimProvider(
            candidate=replace(
                c,
                declined=False,
                recent_awards=0,
                areas=tuple(
                    AreaCapacity(
                        area_code=a.area_code,
                        hours_available=first_seen[c.provider_id].get(a.area_code, a.hours_available)
                        if c.provider_id in first_seen
                        else a.hours_available + taken.get((c.provider_id, a.area_code), 0.0),
                    )
                    for a in c.areas
                ),
            ),
            behaviour=behaviour[c.provider_id],
        )
        for c in candidates
    )
    demand = []
    for package in packages:
        if package.submitted_at is None:  # excluded by the query; the check satisfies the types
            continue
        days = (
            (package.ended_on - package.care_started_on).days if package.ended_on and package.care_started_on else 180.0
        )
        demand.append(Arrival(at=package.submitted_at, isa=isa_for_engine(package), care_days=float(days)))
    return World(providers=providers, demand=tuple(demand), start=start, end=end, seed=seed)


def history_figures(*, agreement: Agreement, start: datetime, end: datetime) -> dict[str, float | None]:
    """The history measured like the simulator's report: share placed, median hours to first award, the share
    of answered offers accepted, and escalations per package. Only what happened by ``end`` counts, as the
    simulation of the same period stops there."""
    packages = _history_packages(agreement, start, end)
    first_award = dict(
        PackageStatusChange.objects.filter(
            package__in=packages, to_status=CarePackage.Status.AWARDED, changed_at__lt=end
        )
        .values_list("package_id")
        .annotate(at=Min("changed_at"))
        .values_list("package_id", "at")
    )
    hours = [
        (first_award[p.pk] - p.submitted_at).total_seconds() / 3600
        for p in packages
        if p.pk in first_award and p.submitted_at is not None
    ]
    offers = Offer.objects.filter(package__in=packages, run__isnull=False)
    answered = offers.filter(status__in=_ANSWERED).count()
    escalations = PackageStatusChange.objects.filter(
        package__in=packages, to_status=CarePackage.Status.UNPLACED, changed_at__lt=end
    ).count()
    return {
        "packages": float(len(packages)),
        "placed_share": len(first_award) / len(packages) if packages else None,
        "award_hours_median": statistics.median(hours) if hours else None,
        "acceptance": offers.filter(status__in=_ACCEPTED).count() / answered if answered else None,
        "escalations_per_package": escalations / len(packages) if packages else None,
    }


def demo_scenario(agreement: Agreement, *, name: str = "Demo settings") -> Scenario:
    """The agreement's own settings, with the CCC behaving as the demo's does (re-broker or phone round).

    Each urgency's response window and clock are the agreement's terms for it (``urgency_terms``: its own
    window, or the agreement's, in working hours when it says so). The demo's CCC turns to an unplaced
    package 4 to 72 hours after it escalates (``brokerage.demo``), and phones round half the time."""
    terms = {urgency: urgency_terms(agreement=agreement, urgency=urgency.value) for urgency in Urgency}
    return Scenario(
        name=name,
        policy=PolicyKind(agreement.allocation_policy),
        windows_hours={
            urgency: float(t.response_window_hours or agreement.response_window_hours) for urgency, t in terms.items()
        },
        working_hours_only=frozenset(urgency for urgency, t in terms.items() if t.working_hours_only),
        ccc_rebroker_hours=38.0,
        ccc_rebroker_spread_hours=34.0,
        ccc_manual_award_share=0.5,
        max_rounds=3,
        restore_capacity=False,
    )


@transaction.atomic
def simulation_request(
    *, requested_by: User | None, scenario: Scenario, days: int, seed: int, demand: str = "generated"
) -> SimulationRun:
    if not 1 <= days <= 366:
        raise SimulationRefused("Simulate between 1 and 366 days.")
    if demand not in ("generated", "history"):
        raise SimulationRefused("Demand comes from history or is generated.")
    run = SimulationRun.objects.create(
        name=scenario.name,
        requested_at=timezone.now(),
        requested_by=requested_by,
        scenario=scenario_to_dict(scenario),
        demand=demand,
        days=days,
        seed=seed,
    )
    audit_record(
        actor=requested_by,
        action=AuditAction.SIMULATION_REQUESTED,
        target=run,
        summary=f"Simulation of {scenario.name!r} over {days} days (seed {seed}) asked for",
        data={"scenario": run.scenario},
    )
    enqueue_on_commit(RUN_SIMULATION_TASK, run.pk)
    return run


def simulation_run(*, run_id: int, agreement: Agreement | None = None) -> str:
    """Run a queued simulation, recording progress. Idempotent: only a queued run is claimed."""
    claimed = SimulationRun.objects.filter(pk=run_id, status=SimulationRun.Status.QUEUED).update(
        status=SimulationRun.Status.RUNNING
    )
    if not claimed:
        return "not queued"
    run = SimulationRun.objects.get(pk=run_id)
    try:
        scenario = scenario_from_dict(run.scenario)
        if run.demand == "history":
            chosen = agreement or Agreement.objects.order_by("pk").first()
            if chosen is None:
                raise SimulationRefused("There is no agreement whose history could be replayed.")
            end = timezone.now()
            world = history_world(agreement=chosen, start=end - timedelta(days=run.days), end=end, seed=run.seed)
        else:
            world = generate(days=run.days, seed=run.seed)

        def progress(share: float) -> None:
            SimulationRun.objects.filter(pk=run_id).update(progress=round(share, 3))

        result = simulate(world, scenario, progress=progress)
    except Exception as error:
        SimulationRun.objects.filter(pk=run_id).update(
            status=SimulationRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic(durable=True):
        run.report = result.to_dict()
        run.status = SimulationRun.Status.DONE
        run.progress = 1.0
        run.finished_at = timezone.now()
        run.save(update_fields=["report", "status", "progress", "finished_at"])
        audit_record(
            actor=None,
            action=AuditAction.SIMULATION_FINISHED,
            target=run,
            summary=f"Simulation of {run.name!r}: {result.awarded} awarded, {result.unplaced} unplaced",
        )
    return SimulationRun.Status.DONE
