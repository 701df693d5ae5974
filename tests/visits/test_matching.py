"""The matching rule on small cases: nearest within the window, contested visits, visits not made."""

from __future__ import annotations

import numpy as np

from visits import matching

T = matching.Thresholds(window=120, late_after=30, short_below_percent=75)


def _planned(starts, package=1, minutes=60, carers=1):
    n = len(starts)
    return matching.Planned(
        package=np.full(n, package, dtype=np.int64),
        start=np.array(starts, dtype=np.int64),
        minutes=np.full(n, minutes, dtype=np.int64),
        carers=np.full(n, carers, dtype=np.int64),
    )


def _actual(check_ins, package=1, minutes=60, carers=1, planned_start=None):
    n = len(check_ins)
    return matching.Actual(
        package=np.full(n, package, dtype=np.int64),
        check_in=np.array(check_ins, dtype=np.int64),
        minutes=np.full(n, minutes, dtype=np.int64),
        carers=np.full(n, carers, dtype=np.int64),
        planned_start=np.array(planned_start or [matching.NOT_MADE] * n, dtype=np.int64),
    )


def test_two_actuals_near_one_planned_visit_the_nearer_keeps_it_and_the_other_takes_the_free_neighbour():
    # Planned 08:00 and 12:00; actuals at 08:10 and 09:50 are both nearest 08:00 (09:50 is 130 from 12:00,
    # outside the window), so 09:50 is an extra; an actual at 10:30 is nearest 12:00 (90) and matches it.
    result = matching.match(_planned([480, 720]), _actual([490, 590, 630]), T)
    assert result.planned_of_actual.tolist() == [0, -1, 1]
    assert result.extra.tolist() == [False, True, False]
    assert result.late.tolist() == [False, False]  # 08:10 is 10 minutes after; 10:30 is early for 12:00


def test_a_contested_visit_falls_back_to_its_other_neighbour_when_that_is_free():
    # Planned 08:00 and 09:30; actuals 08:40 and 08:50 are both nearest 08:00; 08:50 moves to 09:30 (40 away).
    result = matching.match(_planned([480, 570]), _actual([520, 530]), T)
    assert result.planned_of_actual.tolist() == [0, 1]
    assert not result.missed.any() and not result.extra.any()


def test_a_visit_reported_as_not_made_is_missed_and_other_packages_never_match():
    planned = matching.Planned(
        package=np.array([1, 2], dtype=np.int64),
        start=np.array([480, 480], dtype=np.int64),
        minutes=np.array([30, 30], dtype=np.int64),
        carers=np.array([2, 1], dtype=np.int64),
    )
    actual = matching.Actual(
        package=np.array([1, 3], dtype=np.int64),
        check_in=np.array([matching.NOT_MADE, 480], dtype=np.int64),
        minutes=np.array([0, 30], dtype=np.int64),
        carers=np.array([1, 1], dtype=np.int64),
        planned_start=np.array([480, matching.NOT_MADE], dtype=np.int64),
    )
    result = matching.match(planned, actual, T)
    assert result.actual_of_planned.tolist() == [0, -1]  # matched by its planned start, but not made
    assert result.missed.tolist() == [True, True]
    assert result.extra.tolist() == [False, True]  # package 3 has no planned visits
