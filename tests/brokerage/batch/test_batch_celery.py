"""Batch proposals and simulations run as real Celery tasks, on real PostgreSQL and Redis."""

from __future__ import annotations

import pytest

from brokerage.models import BatchProposal, SimulationRun
from brokerage.services.batch import batch_propose_request
from brokerage.services.simulation import simulation_request
from brokerage.simulator import Scenario
from tests.brokerage.factories import make_market
from tests.brokerage.test_celery_flow import offers, submit, worker
from tests.foundation.celery_worker import RunningWorker

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]
__all__ = ["worker"]  # the fixture, imported so this module can ask for it


def test_a_batch_proposal_is_solved_by_the_worker(worker: RunningWorker, officer):
    market = make_market(providers=3)
    packages = [submit(market, officer) for _ in range(2)]
    worker.wait_until(lambda: all(len(offers(package)) == 3 for package in packages), "the ranked offers")
    proposal = batch_propose_request(requested_by=officer, fairness_weight=10, package_ids=[p.pk for p in packages])
    worker.wait_until(
        lambda: BatchProposal.objects.get(pk=proposal.pk).status == BatchProposal.Status.READY, "the proposal"
    )
    proposal.refresh_from_db()
    assert proposal.totals["placed"] == 2
    assert proposal.lines.count() == 2


def test_a_simulation_is_run_by_the_worker_with_its_progress(worker: RunningWorker, officer):
    run = simulation_request(requested_by=officer, scenario=Scenario(name="Worker"), days=2, seed=3)
    worker.wait_until(lambda: SimulationRun.objects.get(pk=run.pk).status == SimulationRun.Status.DONE, "the run")
    run.refresh_from_db()
    assert run.progress == 1.0 and run.report["arrivals"] > 0
