"""Rota fit against insertion costs worked out by hand for a few small runs.

Every point lies due north or south of the person, so each straight-line distance is just the difference in
miles along the meridian, and a road mile is 1.3 of them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from brokerage.allocation import Visit, Weekday, rank_providers
from brokerage.rotafit import RunVisit, minutes_for, rota_fit
from tests.brokerage.allocation.builders import AS_OF, PERSON, make_candidate, make_isa, miles_north

# miles_north assumes 69.05 miles a degree; the haversine's Earth radius gives 69.09: 0.06% apart.
CLOSE = 1e-3
MONDAY_9 = Visit(weekday=Weekday.MONDAY, window_start=time(9), window_end=time(10), duration_minutes=30)


def clock(hours: float) -> time:
    return time(int(hours), round(hours % 1 * 60))


def run(miles: float, start: float, end: float, day: Weekday = Weekday.MONDAY) -> RunVisit:
    return RunVisit(location=miles_north(miles), weekday=day, window_start=clock(start), window_end=clock(end))


def fit(runs: tuple[RunVisit, ...], *visits: Visit, office: float = 3.0) -> float:
    isa = make_isa(visits=visits or (MONDAY_9,), hours_per_week=1.0)
    return rota_fit(isa, provider_id=1, offices=(miles_north(office),), runs=runs).extra_miles


def test_a_visit_on_the_way_between_two_neighbours_costs_nothing() -> None:
    # P 1 mile north (8-10), N 3 miles south (9:30-11): 1.3 * (1 + 3 - 4) = 0.
    assert fit((run(1, 8, 10), run(-3, 9.5, 11))) == pytest.approx(0.0, abs=1e-9)


def test_a_detour_between_two_neighbours_costs_the_way_there_and_back() -> None:
    # P (8-10) and N (9:30-11) both 2 miles north: 1.3 * (2 + 2 - 0) = 5.2.
    assert fit((run(2, 8, 10), run(2, 9.5, 11))) == pytest.approx(5.2, rel=CLOSE)


def test_a_visit_after_the_last_of_a_run_extends_it() -> None:
    # Only P (1.5 miles south, 8-10): 1.3 * 1.5 = 1.95.
    assert fit((run(-1.5, 8, 10),)) == pytest.approx(1.95, rel=CLOSE)


def test_visits_in_other_windows_or_days_do_not_count_and_the_office_trip_does() -> None:
    # A visit at 12-13 Monday and 9-10 Tuesday are not in the window: out from the office (3 miles) and back.
    assert fit((run(0.1, 12, 13), run(0.1, 9, 10, Weekday.TUESDAY))) == pytest.approx(2 * 1.3 * 3.0, rel=CLOSE)


def test_a_double_handed_visit_counts_twice_and_visits_add_up() -> None:
    double = Visit(weekday=Weekday.MONDAY, window_start=time(9), window_end=time(10), duration_minutes=30, carers=2)
    tuesday = Visit(weekday=Weekday.TUESDAY, window_start=time(9), window_end=time(10), duration_minutes=30)
    runs = (run(2, 8, 10), run(2, 9.5, 11), run(-1.5, 8, 10, Weekday.TUESDAY))
    assert fit(runs, double, tuesday) == pytest.approx(2 * 5.2 + 1.95, rel=CLOSE)
    assert minutes_for(1.3) == pytest.approx(3.9)  # 1.3 miles at 20 mph


def test_ranking_on_rota_fit_prefers_the_provider_already_nearby_over_the_nearer_office() -> None:
    isa = make_isa(visits=(MONDAY_9,), hours_per_week=1.0)
    near_office = make_candidate(1, locations=(miles_north(1.0),))
    far_office = make_candidate(2, locations=(miles_north(6.0),))
    fits = {
        1: rota_fit(isa, provider_id=1, offices=near_office.locations, runs=()),
        2: rota_fit(isa, provider_id=2, offices=far_office.locations, runs=(run(0.2, 8, 10), run(-0.2, 9.5, 11))),
    }
    by_office = rank_providers(isa, [near_office, far_office], as_of=AS_OF)
    assert [entry.provider_id for entry in by_office.ranked] == [1, 2]
    candidates = [
        replace(near_office, locality_miles=fits[1].extra_miles),
        replace(far_office, locality_miles=fits[2].extra_miles),
    ]
    by_rota = rank_providers(isa, candidates, as_of=AS_OF)
    assert [entry.provider_id for entry in by_rota.ranked] == [2, 1]
    assert by_rota.ranked[0].distance_miles == pytest.approx(0.0, abs=0.05)
    assert "1 of 1 visits fit between existing visits" in fits[2].explanation
    assert PERSON.latitude < miles_north(0.2).latitude
