"""Provider behaviour calibrated from history (pure: plain observations in, `Behaviour` per provider out).

- answer rate: offers answered (accepted or declined) / offers that could have been answered (withdrawn
  offers are left out: another provider won before this one had to answer);
- median response time: of the provider's answers;
- acceptance: a logistic model of "accepted, given answered" on distance and hours (about the history's
  mean distance and hours), fitted by Newton's method with a small ridge penalty; the provider's own
  intercept comes from its own acceptance rate;
- hand-back rate: hand-backs / awards.

Per-provider rates are shrunk towards the overall rate with the weight of `PRIOR_OFFERS` offers, so a
provider with two offers does not get a rate of 0% or 100%.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from brokerage.simulator.model import Behaviour

PRIOR_OFFERS = 3.0


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferObservation:
    provider_id: int
    answered: bool
    accepted: bool
    response_hours: float | None
    miles: float
    hours: float


def _logit(p: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


def fit_slopes(rows: list[OfferObservation], *, miles_at: float, hours_at: float) -> tuple[float, float, float]:
    """Intercept, distance and hours slopes of P(accept | answered), about (miles_at, hours_at)."""
    if len(rows) < 5:
        return _logit(sum(r.accepted for r in rows) / len(rows)) if rows else 0.0, 0.0, 0.0
    x = np.asarray([[1.0, r.miles - miles_at, r.hours - hours_at] for r in rows])
    y = np.asarray([1.0 if r.accepted else 0.0 for r in rows])
    beta = np.zeros(3)
    ridge = np.diag([0.0, 1.0, 1.0])
    for _ in range(25):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (y - p) - ridge @ beta
        hessian = (x.T * (p * (1 - p))) @ x + ridge + 1e-9 * np.eye(3)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if float(np.abs(step).max()) < 1e-8:
            break
    return float(beta[0]), float(beta[1]), float(beta[2])


def calibrate(
    observations: Iterable[OfferObservation], *, provider_ids: Iterable[int], awards: int, hand_backs: int
) -> dict[int, Behaviour]:
    rows = list(observations)
    answered = [r for r in rows if r.answered]
    overall_answer = len(answered) / len(rows) if rows else 0.5
    overall_accept = sum(r.accepted for r in answered) / len(answered) if answered else 0.3
    times = [r.response_hours for r in answered if r.response_hours is not None]
    overall_median = statistics.median(times) if times else 4.0
    # Centred on the history's own mean distance and hours, so a provider's acceptance rate is its odds there.
    miles_at = statistics.fmean(r.miles for r in answered) if answered else 3.0
    hours_at = statistics.fmean(r.hours for r in answered) if answered else 10.0
    _, distance_slope, hours_slope = fit_slopes(answered, miles_at=miles_at, hours_at=hours_at)
    hand_back_rate = hand_backs / awards if awards else 0.0
    behaviours = {}
    for pid in provider_ids:
        mine = [r for r in rows if r.provider_id == pid]
        mine_answered = [r for r in mine if r.answered]
        answer = (len(mine_answered) + PRIOR_OFFERS * overall_answer) / (len(mine) + PRIOR_OFFERS)
        accept = (sum(r.accepted for r in mine_answered) + PRIOR_OFFERS * overall_accept) / (
            len(mine_answered) + PRIOR_OFFERS
        )
        mine_times = [r.response_hours for r in mine_answered if r.response_hours is not None]
        behaviours[pid] = Behaviour(
            respond_rate=answer,
            median_response_hours=max(statistics.median(mine_times) if mine_times else overall_median, 0.05),
            accept_logit=_logit(accept),
            distance_slope=distance_slope,
            hours_slope=hours_slope,
            hand_back_rate=hand_back_rate,
            miles_at=miles_at,
            hours_at=hours_at,
        )
    return behaviours
