"""Pure statistics for the dashboard: no ORM, no Django, so each figure can be checked by hand.

Percentiles use linear interpolation between closest ranks (the "R-7" method), the same definition as
PostgreSQL's ``percentile_cont`` and numpy's default, so a figure computed either way is the same number.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

Number = float | int | Decimal


def percentile(values: Sequence[Number], fraction: float) -> float | None:
    """The ``fraction`` (0..1) percentile of ``values`` by linear interpolation; None when there are none."""
    if not 0 <= fraction <= 1:
        raise ValueError("A percentile is a fraction between 0 and 1.")
    ordered = sorted(float(value) for value in values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def median(values: Sequence[Number]) -> float | None:
    return percentile(values, 0.5)


def p90(values: Sequence[Number]) -> float | None:
    return percentile(values, 0.9)


def gini(values: Sequence[Number]) -> float | None:
    """The Gini coefficient of ``values``: 0 when everyone has the same, towards 1 when one has everything.

    With the values sorted ascending and numbered i = 1..n: G = 2·Σ(i·xᵢ) / (n·Σx) - (n + 1) / n.
    None when there is nothing to share (no values, or all zero).
    """
    ordered = sorted(float(value) for value in values)
    if any(value < 0 for value in ordered):
        raise ValueError("The Gini coefficient needs values that are not negative.")
    total = sum(ordered)
    n = len(ordered)
    if n == 0 or total == 0:
        return None
    weighted = sum(index * value for index, value in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n


def top_share(values: Sequence[Number], top: int = 10) -> float | None:
    """The share (0..1) of the total held by the ``top`` largest values; None when the total is zero."""
    ordered = sorted((float(value) for value in values), reverse=True)
    total = sum(ordered)
    if total == 0:
        return None
    return sum(ordered[:top]) / total


def rate(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is no whole to divide by (shown as "no data", not 0%)."""
    return None if whole == 0 else part / whole
