"""Planned against actual: match each actual visit to a planned one and flag what went wrong. Pure numpy, no ORM.

Times are whole minutes since the Unix epoch (UTC), so a day's visits compare without time zones.

1. Every actual visit (by its check-in, or by its planned start when it was not made) is matched to the planned
   visit of the same package whose planned start is nearest, within the agreement's window either side.
2. Two actuals nearest the same planned visit: the nearer keeps it; the other tries its other neighbour once,
   and is otherwise an unplanned extra visit.
3. Flags, per planned visit: ``missed`` (no actual, or an actual reported as not made), ``late`` (checked in more
   than ``late_after`` minutes after the planned start), ``short`` (shorter than ``short_below_percent`` of the
   planned length), ``fewer_carers`` (a double-handed call attended by fewer carers). Per actual: ``extra``.

Matching is a sort and a ``searchsorted``: 500,000 visits reconcile in well under a second (``bench/reconcile.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NOT_MADE = -1  # check-in of an actual visit reported as not made
_PACKAGE_STRIDE = np.int64(1) << 32  # minutes since 1970 fit in 32 bits until the year 10136


@dataclass(frozen=True)
class Planned:
    package: IntArray
    start: IntArray  # minutes since the epoch
    minutes: IntArray
    carers: IntArray


@dataclass(frozen=True)
class Actual:
    package: IntArray
    check_in: IntArray  # minutes since the epoch, NOT_MADE for a visit not made
    minutes: IntArray  # 0 for a visit not made
    carers: IntArray
    planned_start: IntArray  # as the provider's system gave it, NOT_MADE when absent


@dataclass(frozen=True)
class Thresholds:
    window: int = 120
    late_after: int = 30
    short_below_percent: int = 75


@dataclass(frozen=True)
class Matched:
    actual_of_planned: IntArray  # index into the actuals, -1 when none
    planned_of_actual: IntArray  # index into the planned visits, -1 for an unplanned extra
    missed: BoolArray
    late: BoolArray
    short: BoolArray
    fewer_carers: BoolArray
    extra: BoolArray  # per actual


def _nearest(
    keys: IntArray, packages: IntArray, times: IntArray, planned_keys: IntArray, planned_package: IntArray, window: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """For each key: the sorted positions of the planned visit just before and just after, with distances
    (a huge distance where that neighbour is of another package or outside the window)."""
    big = np.int64(1) << 62
    right = np.searchsorted(planned_keys, keys, side="left").astype(np.int64)
    left = right - 1
    n = len(planned_keys)
    distances = []
    for position in (left, right):
        valid = (position >= 0) & (position < n)
        clipped = np.clip(position, 0, max(n - 1, 0))
        if n:
            distance = np.abs(planned_keys[clipped] - keys)
            same = planned_package[clipped] == packages
        else:
            distance = np.zeros_like(keys)
            same = np.zeros(len(keys), dtype=bool)
        distances.append(np.where(valid & same & (distance <= window), distance, big))
    return left, right, distances[0], distances[1]


def _claim(chosen: IntArray, distance: IntArray, big: np.int64) -> BoolArray:
    """Which of the actuals keep their chosen planned visit: the nearest per planned visit (ties: the first)."""
    keeps = np.zeros(len(chosen), dtype=bool)
    candidates = np.flatnonzero(distance < big)
    if not len(candidates):
        return keeps
    order = candidates[np.lexsort((candidates, distance[candidates], chosen[candidates]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = chosen[order][1:] != chosen[order][:-1]
    keeps[order[first]] = True
    return keeps


def match(planned: Planned, actual: Actual, thresholds: Thresholds) -> Matched:
    big = np.int64(1) << 62
    n_planned, n_actual = len(planned.start), len(actual.check_in)
    planned_keys_unsorted = planned.package * _PACKAGE_STRIDE + planned.start
    order = np.argsort(planned_keys_unsorted, kind="stable")
    planned_keys = planned_keys_unsorted[order]
    planned_package = planned.package[order]

    when = np.where(actual.check_in != NOT_MADE, actual.check_in, actual.planned_start)
    known = when != NOT_MADE
    keys = actual.package * _PACKAGE_STRIDE + np.where(known, when, 0)
    left, right, d_left, d_right = _nearest(
        keys, actual.package, when, planned_keys, planned_package, thresholds.window
    )
    d_left = np.where(known, d_left, big)
    d_right = np.where(known, d_right, big)

    # Step 1: nearest neighbour (the earlier one on a tie).
    take_left = d_left <= d_right
    chosen = np.where(take_left, left, right)
    distance = np.where(take_left, d_left, d_right)
    keeps = _claim(chosen, distance, big)
    # Step 2: losers try the other neighbour once, if nobody holds it.
    held = np.zeros(max(n_planned, 1), dtype=bool)
    held[chosen[keeps]] = True
    losers = ~keeps & (distance < big)
    other = np.where(take_left, right, left)
    other_distance = np.where(take_left, d_right, d_left)
    other_free = losers & (other_distance < big)
    other_free[other_free] = ~held[np.clip(other[other_free], 0, max(n_planned - 1, 0))]
    retry_keeps = _claim(np.where(other_free, other, -1), np.where(other_free, other_distance, big), big)
    chosen = np.where(keeps, chosen, np.where(retry_keeps, other, -1))

    planned_of_actual = np.full(n_actual, -1, dtype=np.int64)
    matched_actuals = np.flatnonzero(chosen >= 0)
    planned_of_actual[matched_actuals] = order[chosen[matched_actuals]]
    actual_of_planned = np.full(n_planned, -1, dtype=np.int64)
    actual_of_planned[planned_of_actual[matched_actuals]] = matched_actuals

    if not n_actual:
        nothing = np.zeros(n_planned, dtype=bool)
        return Matched(
            actual_of_planned, planned_of_actual, ~nothing, nothing, nothing, nothing, np.zeros(0, dtype=bool)
        )
    has = actual_of_planned >= 0
    a = np.where(has, actual_of_planned, 0)
    made = has & (actual.check_in[a] != NOT_MADE)
    late = made & (actual.check_in[a] - planned.start > thresholds.late_after)
    short = made & (actual.minutes[a] * 100 < thresholds.short_below_percent * planned.minutes)
    fewer = made & (actual.carers[a] < planned.carers)
    extra = (planned_of_actual < 0) & (actual.check_in != NOT_MADE)
    return Matched(actual_of_planned, planned_of_actual, ~made, late, short, fewer, extra)
