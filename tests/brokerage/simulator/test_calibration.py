"""Calibration: the response model fitted with censoring; the demo scenario reads each urgency's terms."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from brokerage.allocation.inputs import Urgency
from brokerage.services.simulation import demo_scenario, scenario_from_dict, scenario_to_dict
from brokerage.simulator.calibrate import OfferObservation, fit_responses
from brokerage.simulator.model import RESPONSE_SPREAD
from contracts.models import PlacementDeadline
from tests.brokerage.factories import make_market


def _offers(rate: float, median: float, window: float, n: int, seed: int) -> list[OfferObservation]:
    """Offers answered as the simulator's response model says, seen only while open for ``window`` hours."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        delay = rng.lognormvariate(math.log(median), RESPONSE_SPREAD) if rng.random() < rate else math.inf
        seen = delay < window
        rows.append(
            OfferObservation(
                provider_id=1,
                answered=seen,
                accepted=False,
                response_hours=delay if seen else None,
                exposure_hours=None if seen else window,
                miles=2.0,
                hours=10.0,
            )
        )
    return rows


def test_the_fit_recovers_slow_providers_whose_late_answers_the_window_cut_off():
    rows = _offers(rate=0.6, median=14.0, window=24.0, n=2000, seed=3)
    rate, median = fit_responses(rows)
    assert rate == pytest.approx(0.6, abs=0.05)
    assert median == pytest.approx(14.0, rel=0.15)
    # What counting the answers seen would have said: fewer answers, and faster ones.
    seen = [r.response_hours for r in rows if r.response_hours is not None]
    assert len(seen) / len(rows) < 0.5 and statistics.median(seen) < 10.0


def test_a_provider_with_few_offers_is_pulled_towards_the_pooled_fit():
    rows = _offers(rate=0.9, median=1.0, window=24.0, n=2, seed=5)
    alone = fit_responses(rows)
    pooled = fit_responses(rows, prior=(0.3, 10.0))
    assert pooled[0] < alone[0] and pooled[1] > alone[1]


@pytest.mark.django_db
def test_the_demo_scenario_uses_each_urgencys_window_and_clock():
    market = make_market(providers=1, response_window_hours=24)
    PlacementDeadline.objects.filter(agreement=market.agreement, urgency="hospital_discharge").update(
        response_window_hours=2, working_hours_only=True
    )
    scenario = demo_scenario(market.agreement)
    assert scenario.windows_hours == {Urgency.HOSPITAL_DISCHARGE: 2.0, Urgency.URGENT: 24.0, Urgency.ROUTINE: 24.0}
    assert scenario.working_hours_only == {Urgency.HOSPITAL_DISCHARGE}
    assert scenario_from_dict(scenario_to_dict(scenario)) == scenario
