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
from brokerage.allocation.inputs import AreaCapacity, Urgency
from brokerage.allocation.policies import PolicyKind
from brokerage.allocation_rows import engine_inputs_for, isa_for_engine
from brokerage.models import CarePackage, HandBack, Offer, PackageStatusChange, SimulationRun
from brokerage.simulator import Arrival, Scenario, SimProvider, World, generate, simulate
from brokerage.simulator.calibrate import OfferObservation, calibrate
from contracts.models import Agreement
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
    return data


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    values = dict(data)
    values["policy"] = PolicyKind(values["policy"])
    values["windows_hours"] = {Urgency(k): float(v) for k, v in values["windows_hours"].items()}
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
    # Every award in the period took its hours from the provider's declared capacity (and nothing gives
    # them back but the provider's next declaration), so the capacity at the start is today's plus those.
    taken: dict[tuple[int, str], float] = {}
    for offer in Offer.objects.filter(package__in=packages, status=Offer.Status.AWARDED).select_related(
        "package__locality_area"
    ):
        area = offer.package.locality_area
        if area is not None:
            key = (offer.provider_id, area.code)
            taken[key] = taken.get(key, 0.0) + float(offer.package.hours_per_week)
    # Offers the policy sent (a run made them): a CCC's manual award also makes an offer row, answered at once.
    offers = Offer.objects.filter(package__in=packages, run__isnull=False).exclude(status=Offer.Status.WITHDRAWN)
    by_package = {package.pk: package for package in packages}
    located = {c.provider_id: c for c in candidates}
    observations = []
    for offer in offers:
        candidate = located.get(offer.provider_id)
        package = by_package[offer.package_id]
        if candidate is None or package.latitude is None:
            continue
        isa = isa_for_engine(package)
        responded = offer.responded_at
        answered = offer.status in _ANSWERED and responded is not None
        observations.append(
            OfferObservation(
                provider_id=offer.provider_id,
                answered=answered,
                accepted=offer.status in _ACCEPTED,
                response_hours=(responded - offer.sent_at).total_seconds() / 3600 if responded and answered else None,
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
                        hours_available=a.hours_available + taken.get((c.provider_id, a.area_code), 0.0),
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
    of answered offers accepted, and escalations per package."""
    packages = _history_packages(agreement, start, end)
    first_award = dict(
        PackageStatusChange.objects.filter(package__in=packages, to_status=CarePackage.Status.AWARDED)
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
        package__in=packages, to_status=CarePackage.Status.UNPLACED
    ).count()
    return {
        "packages": float(len(packages)),
        "placed_share": len(first_award) / len(packages) if packages else None,
        "award_hours_median": statistics.median(hours) if hours else None,
        "acceptance": offers.filter(status__in=_ACCEPTED).count() / answered if answered else None,
        "escalations_per_package": escalations / len(packages) if packages else None,
    }


def demo_scenario(agreement: Agreement, *, name: str = "Demo settings") -> Scenario:
    """The agreement's own settings, with the CCC behaving as the demo's does (re-broker or phone round)."""
    return Scenario(
        name=name,
        policy=PolicyKind(agreement.allocation_policy),
        windows_hours=dict.fromkeys(Urgency, float(agreement.response_window_hours)),
        ccc_rebroker_hours=38.0,
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
