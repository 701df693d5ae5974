"""Backlog and Simulator in a real browser: propose, review, approve; run, compare; every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from brokerage import demo_simulator
from brokerage.models import BatchProposal, CarePackage, SimulationRun
from brokerage.services.batch import batch_propose_run
from brokerage.services.simulation import simulation_request, simulation_run
from tests.brokerage.batch.test_batch_services import unplaced
from tests.brokerage.factories import make_market
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_proposes_reviews_and_approves_a_batch_of_the_backlog(signed_in_page, officer):
    market = make_market(providers=3)
    unplaced(market, officer, 3)
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/planning/backlog/")
    expect(page.get_by_text("3 unplaced packages are waiting")).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    page.get_by_label("Fairness weight").fill("10")
    page.get_by_role("button", name="Propose a batch allocation").click()
    # The proposal's page: the POST has committed, so its row can be read.
    page.wait_for_url(re.compile(r"/commissioning/planning/backlog/\d+/$"))
    proposal = BatchProposal.objects.get()
    batch_propose_run(proposal_id=proposal.pk)  # what the worker does on commit
    page.reload()
    expect(page.get_by_text("Packages placed")).to_be_visible()
    expect(page.get_by_role("cell", name="Ranks first for this package").first).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "batch-proposal")
    page.get_by_role("button", name="Approve every line").click()
    expect(page.get_by_text("3 offered first refusal")).to_be_visible()
    assert CarePackage.objects.filter(status=CarePackage.Status.BROKERING).count() == 3
    assert_no_serious_accessibility_violations(page)


def test_an_officer_runs_a_scenario_and_compares_two_side_by_side(signed_in_page, officer):
    for scenario in demo_simulator.SCENARIOS:
        run = simulation_request(requested_by=officer, scenario=scenario, days=3, seed=14)
        simulation_run(run_id=run.pk)
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/planning/simulator/")
    assert_no_serious_accessibility_violations(page)
    page.get_by_label("Scenario name").fill("Cascade, 4 h")
    page.get_by_label("Sequential cascade").check()
    page.get_by_label("Days to simulate").fill("2")
    page.get_by_role("button", name="Run the simulation").click()
    expect(page.get_by_role("heading", name="Cascade, 4 h")).to_be_visible()
    queued = SimulationRun.objects.get(name="Cascade, 4 h")
    assert queued.scenario["policy"] == "sequential_cascade" and queued.days == 2
    page.goto("/commissioning/planning/simulator/")
    for scenario in demo_simulator.SCENARIOS:
        page.get_by_label(f"Compare {scenario.name}").check()
    page.get_by_role("button", name="Compare the selected scenarios").click()
    expect(page.get_by_role("heading", name="Scenarios compared")).to_be_visible()
    # Chart.js drew the chart from the JSON beside it (the script is a static file: no inline script).
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-award-hours') !== undefined")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "simulator-compare")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "simulator-comparison.csv"
