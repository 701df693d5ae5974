"""Simulations stored and reproducible from their seed; the demo step stores its comparison once."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper

from brokerage import demo_simulator
from brokerage.models import SimulationRun
from brokerage.services.simulation import (
    SimulationRefused,
    scenario_from_dict,
    scenario_to_dict,
    simulation_request,
    simulation_run,
)
from brokerage.simulator import Scenario
from homecare.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_stored_simulation_runs_once_and_the_same_seed_gives_the_same_report(officer):
    scenario = demo_simulator.SCENARIOS[1]
    assert scenario_from_dict(scenario_to_dict(scenario)) == scenario
    first = simulation_request(requested_by=officer, scenario=scenario, days=3, seed=5)
    again = simulation_request(requested_by=officer, scenario=scenario, days=3, seed=5)
    assert simulation_run(run_id=first.pk) == SimulationRun.Status.DONE
    assert simulation_run(run_id=first.pk) == "not queued"
    simulation_run(run_id=again.pk)
    first.refresh_from_db()
    again.refresh_from_db()
    assert first.progress == 1.0 and first.report["arrivals"] > 50
    for report in (first.report, again.report):
        report.pop("seconds")
    assert first.report == again.report
    assert AuditEvent.objects.filter(action="simulation.finished").count() == 2


def test_a_simulation_longer_than_a_year_is_refused(officer):
    with pytest.raises(SimulationRefused):
        simulation_request(requested_by=officer, scenario=Scenario(name="x"), days=400, seed=1)


def test_the_demo_step_stores_its_two_scenarios_once(monkeypatch):
    monkeypatch.setattr(demo_simulator, "DAYS", 2)
    out = io.StringIO()
    demo_simulator.load_demo_simulations(stdout=OutputWrapper(out))
    demo_simulator.load_demo_simulations(stdout=OutputWrapper(out))
    runs = SimulationRun.objects.filter(status=SimulationRun.Status.DONE)
    assert sorted(runs.values_list("name", flat=True)) == sorted(s.name for s in demo_simulator.SCENARIOS)
    assert "0 scenarios run, 2 stored" in out.getvalue()
