"""The simulator: reproducible from a seed, consistent counts, and the settings change what they should."""

from __future__ import annotations

import pytest

from brokerage.allocation import Urgency
from brokerage.simulator import Scenario, ScenarioError, generate, simulate

SHORT = {Urgency.HOSPITAL_DISCHARGE: 2.0, Urgency.URGENT: 8.0, Urgency.ROUTINE: 24.0}


@pytest.fixture(scope="module")
def month() -> object:
    return generate(days=10, seed=3)


def test_the_same_seed_gives_the_same_report(month) -> None:
    first = simulate(month, Scenario(name="a")).to_dict()
    again = simulate(month, Scenario(name="a")).to_dict()
    first.pop("seconds"), again.pop("seconds")
    assert first == again


def test_every_arrival_is_awarded_or_unplaced_and_counts_add_up(month) -> None:
    result = simulate(month, Scenario(name="a"))
    assert result.arrivals == len(month.demand) > 200
    assert result.awarded + result.unplaced >= result.arrivals
    assert sum(row.awarded for row in result.by_urgency) == result.awarded
    assert 0 <= result.gini_awarded_hours < 1
    assert result.weekly_cost == pytest.approx(result.weekly_hours * 23.50)


def test_short_discharge_windows_award_discharges_sooner_and_batch_gives_first_refusals(month) -> None:
    slow = simulate(month, Scenario(name="24h"))
    fast = simulate(month, Scenario(name="short", windows_hours=SHORT, batch=True, batch_every_hours=4))
    by = {row.urgency: row for row in slow.by_urgency}
    by_fast = {row.urgency: row for row in fast.by_urgency}
    discharge = Urgency.HOSPITAL_DISCHARGE.value
    fast_hours, slow_hours = by_fast[discharge].award_hours_median, by[discharge].award_hours_median
    assert fast_hours is not None and slow_hours is not None and fast_hours < slow_hours
    assert fast.batch_rounds > 0 and slow.batch_rounds == 0 and slow.batch_awards == 0


def test_a_scenario_needs_a_window_for_every_urgency() -> None:
    with pytest.raises(ScenarioError):
        Scenario(name="bad", windows_hours={Urgency.ROUTINE: 24.0})
