"""The fairness measure of a batch, and the Gini coefficient of awarded hours reported beside it.

Fairness penalty. A provider p with `a_p` recent awards that receives `n_p` packages in the batch costs

    F_p(n_p) = weight * ((a_p + n_p)^2 - a_p^2)

evaluated exactly at multiples of a segment width `w_p` and linearly in between (w_p = 1, exact everywhere,
unless a provider could take more than `MAX_SEGMENTS` packages, when w_p = ceil(max_units / MAX_SEGMENTS)).
Summed over providers, (a_p + n_p)^2 is the numerator of the Herfindahl-Hirschman index of the providers'
shares of packages, so the penalty is a convex cost on each provider's share: the k-th package given to one
provider costs more than the (k-1)-th, and the solver spreads work unless the ranking says otherwise strongly
enough. `weight` is in the rank cost's units (tenths of a mile of locality; see `problem`), so a weight of 10
means "give the k-th package to another provider when that costs less than (2(a_p + k) - 1) miles".

As a piecewise-linear convex function it is a chain of arcs with increasing unit cost in the min-cost flow
(`segments`), and the same segments are integer variables in CP-SAT.
"""

from __future__ import annotations

import math

import numpy as np

from brokerage.batch.problem import FloatArray, IntArray

MAX_SEGMENTS = 64


def segment_width(max_units: int) -> int:
    return max(1, math.ceil(max_units / MAX_SEGMENTS))


def segments(*, weight: int, prior: int, max_units: int) -> list[tuple[int, int]]:
    """(units, unit cost) of each linear piece of F_p, in order; their unit costs increase (convex)."""
    if max_units <= 0:
        return []
    width = segment_width(max_units)
    pieces: list[tuple[int, int]] = []
    start = 0
    while start < max_units:
        units = min(width, max_units - start)
        # The mean of the marginal costs 2(a + k) - 1 for k = start+1 .. start+units.
        pieces.append((units, weight * (2 * prior + 2 * start + units)))
        start += units
    return pieces


def penalty(*, weight: int, prior: int, units: int, max_units: int) -> int:
    """F_p(units): the cost of the pieces filled by `units` packages."""
    total = 0
    left = units
    for size, cost in segments(weight=weight, prior=prior, max_units=max(max_units, units)):
        used = min(size, left)
        total += used * cost
        left -= used
        if left == 0:
            break
    return total


def marginal(*, weight: int, prior: int, unit: int, max_units: int) -> int:
    """The cost of the `unit`-th package (1-based) given to a provider: the unit cost of its piece."""
    width = segment_width(max(max_units, unit))
    start = ((unit - 1) // width) * width
    size = min(width, max(max_units, unit) - start)
    return weight * (2 * prior + 2 * start + size)


def marginals(*, weight: int, prior: IntArray, unit: IntArray, max_units: IntArray) -> IntArray:
    """`marginal` for many providers at once (numpy)."""
    top = np.maximum(max_units, unit)
    width = np.maximum(1, -(-top // MAX_SEGMENTS))
    start = ((unit - 1) // width) * width
    size = np.minimum(width, top - start)
    result: IntArray = weight * (2 * prior + 2 * start + size)
    return result


def segment_arrays(
    *, weight: int, prior: IntArray, max_units: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Every provider's pieces at once (numpy), equal to `segments` per provider: (provider, start, units, cost)."""
    width = np.maximum(1, -(-max_units // MAX_SEGMENTS))
    count = np.where(max_units > 0, -(-max_units // width), 0)
    provider = np.repeat(np.arange(len(max_units), dtype=np.int64), count)
    offsets = np.cumsum(count) - count
    piece = np.arange(len(provider), dtype=np.int64) - np.repeat(offsets, count)
    start = piece * width[provider]
    units = np.minimum(width[provider], max_units[provider] - start)
    cost = weight * (2 * prior[provider] + 2 * start + units)
    return provider, start, units, cost


def penalties(*, weight: int, prior: IntArray, units: IntArray, max_units: IntArray) -> int:
    """The sum over providers of F_p(units_p), vectorised."""
    provider, start, size, cost = segment_arrays(weight=weight, prior=prior, max_units=np.maximum(max_units, units))
    filled = np.clip(units[provider] - start, 0, size)
    return int((filled * cost).sum())


def gini(values: FloatArray) -> float:
    """The Gini coefficient: sum over all pairs |x_i - x_j| / (2 n^2 mean); 0 when equal, towards 1 when one
    provider holds everything. 0 for no providers or no hours."""
    count = len(values)
    total = float(values.sum())
    if count == 0 or total <= 0:
        return 0.0
    ordered = np.sort(values)
    ranks = np.arange(1, count + 1, dtype=np.float64)
    return float((2 * (ranks * ordered).sum()) / (count * total) - (count + 1) / count)
