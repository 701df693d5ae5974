"""Demo step: a stored comparison of two policies in the simulator, so the Simulator page opens on a result.

1. Ranked DPS with a 24-hour response window for every urgency, no batch allocation.
2. Short hospital-discharge windows (2 hours; urgent 8, routine 24) with batch allocation every 4 hours.

Both replay the same generated Leeds-scale demand (seed 14) for a quarter (91 days, about 2,500 packages),
not a year, to keep ``load_demo`` quick; the Simulator page runs a full year on request. Idempotent: runs
that exist by name are left as they are.
"""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from brokerage.allocation.inputs import Urgency
from brokerage.models import SimulationRun
from brokerage.services.simulation import simulation_request, simulation_run
from brokerage.simulator import Scenario
from homecare.queue import enqueue_suspended

DAYS = 91
SEED = 14
SCENARIOS = (
    Scenario(name="Demo: ranked DPS, 24 h windows for all"),
    Scenario(
        name="Demo: 2 h hospital-discharge windows with batch allocation",
        windows_hours={Urgency.HOSPITAL_DISCHARGE: 2.0, Urgency.URGENT: 8.0, Urgency.ROUTINE: 24.0},
        batch=True,
        batch_every_hours=4.0,
    ),
)


def load_demo_simulations(*, stdout: OutputWrapper) -> None:
    made = []
    for scenario in SCENARIOS:
        if SimulationRun.objects.filter(name=scenario.name, status=SimulationRun.Status.DONE).exists():
            continue
        SimulationRun.objects.filter(name=scenario.name).delete()  # an interrupted earlier load
        with enqueue_suspended():  # this step runs it here and now
            run = simulation_request(requested_by=None, scenario=scenario, days=DAYS, seed=SEED)
        simulation_run(run_id=run.pk)
        made.append(scenario.name)
    runs = SimulationRun.objects.filter(name__in=[s.name for s in SCENARIOS], status=SimulationRun.Status.DONE)
    summary = "; ".join(
        f"{run.name}: discharge within 24 h {run.report.get('discharge_within_24h') or 0:.0%}, "
        f"unplaced {run.report.get('unplaced')}"
        for run in runs.order_by("pk")
    )
    stdout.write(f"Simulator: {len(made)} scenarios run, {runs.count()} stored. {summary}")


# simulation_request and simulation_run open their own (durable) transactions.
load_demo_simulations.manages_own_transactions = True  # type: ignore[attr-defined]
