"""Provider behaviour calibrated from history (pure: plain observations in, `Behaviour` per provider out).

- answer rate and median response time, together: a provider answers an offer at all with probability
  `respond_rate`, after a lognormal delay (spread `RESPONSE_SPREAD`, the simulator's own response model)
  about its median. History only shows the answers that came while the offer was still open: an offer
  that expired or was withdrawn (another provider won) after `exposure_hours` says only "no answer within
  that long". Counting answers over offers, or taking the median of the answers seen, would mistake slow
  providers for fast ones that answer less (the 24-hour window cuts off every slow answer), so both are
  fitted at once by maximum likelihood with that censoring;
- the provider's own answer is its first (accepted or declined), not the offer's final status: a CCC's
  phone award after escalation turns a declined or expired offer into an awarded one, which the provider
  never accepted;
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

from brokerage.simulator.model import RESPONSE_SPREAD, Behaviour

PRIOR_OFFERS = 3.0
# The grid the response model is fitted over: answer probability, and the log of the median hours.
_RATES = np.linspace(0.01, 0.99, 99)
_LOG_MEDIANS = np.linspace(math.log(0.05), math.log(200.0), 161)


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferObservation:
    provider_id: int
    answered: bool
    accepted: bool
    response_hours: float | None
    miles: float
    hours: float
    # How long an unanswered offer stayed open (None: unknown, counted as never answerable in time).
    exposure_hours: float | None = None
    # Days the accepting provider's proposed start was after the earliest it could have been asked for.
    start_lead_days: int | None = None


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


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return np.asarray([0.5 * (1 + math.erf(float(v) / math.sqrt(2))) for v in z])


def fit_responses(
    rows: list[OfferObservation], *, prior: tuple[float, float] | None = None, weight: float = PRIOR_OFFERS
) -> tuple[float, float]:
    """Answer probability and median response hours by maximum likelihood over the grid, with censoring.

    An answer after t hours has likelihood p * f(t); no answer while the offer was open for E hours,
    1 - p * F(E), where f and F are the lognormal's density and distribution. With `prior` (a pooled fit),
    `weight` pseudo-offers pull a provider with few offers towards it."""
    rates = _RATES[:, None]
    mu = _LOG_MEDIANS[None, :]
    total = np.zeros((len(_RATES), len(_LOG_MEDIANS)))
    answered = [math.log(max(r.response_hours, 1e-3)) for r in rows if r.answered and r.response_hours is not None]
    unanswered = [r.exposure_hours for r in rows if not r.answered]
    if answered:
        logs = np.asarray(answered)[:, None, None]
        z = (logs - mu[None]) / RESPONSE_SPREAD
        total += len(answered) * np.log(rates) + (-0.5 * z * z).sum(axis=0)
    for exposure in unanswered:
        if exposure is None or exposure <= 0:
            total += np.log(1 - rates + 1e-12)  # it had no time: only the answer rate explains it
            continue
        seen = _normal_cdf((math.log(exposure) - _LOG_MEDIANS) / RESPONSE_SPREAD)[None, :]
        total += np.log(1 - rates * seen + 1e-12)
    if prior is not None:
        p0, median0 = prior
        total += weight * (p0 * np.log(rates) + (1 - p0) * np.log(1 - rates))
        total += -weight * (mu - math.log(median0)) ** 2 / (2 * RESPONSE_SPREAD**2)
    i, j = np.unravel_index(int(np.argmax(total)), total.shape)
    return float(_RATES[i]), float(math.exp(_LOG_MEDIANS[j]))


def calibrate(
    observations: Iterable[OfferObservation], *, provider_ids: Iterable[int], awards: int, hand_backs: int
) -> dict[int, Behaviour]:
    rows = list(observations)
    answered = [r for r in rows if r.answered]
    overall_answer, overall_median = fit_responses(rows) if rows else (0.5, 4.0)
    overall_accept = sum(r.accepted for r in answered) / len(answered) if answered else 0.3
    overall_leads = tuple(sorted(r.start_lead_days for r in answered if r.accepted and r.start_lead_days is not None))
    # Centred on the history's own mean distance and hours, so a provider's acceptance rate is its odds there.
    miles_at = statistics.fmean(r.miles for r in answered) if answered else 3.0
    hours_at = statistics.fmean(r.hours for r in answered) if answered else 10.0
    _, distance_slope, hours_slope = fit_slopes(answered, miles_at=miles_at, hours_at=hours_at)
    hand_back_rate = hand_backs / awards if awards else 0.0
    behaviours = {}
    for pid in provider_ids:
        mine = [r for r in rows if r.provider_id == pid]
        mine_answered = [r for r in mine if r.answered]
        answer, median = fit_responses(mine, prior=(overall_answer, overall_median))
        accept = (sum(r.accepted for r in mine_answered) + PRIOR_OFFERS * overall_accept) / (
            len(mine_answered) + PRIOR_OFFERS
        )
        leads = tuple(sorted(r.start_lead_days for r in mine_answered if r.accepted and r.start_lead_days is not None))
        behaviours[pid] = Behaviour(
            respond_rate=answer,
            median_response_hours=max(median, 0.05),
            start_lead_days=leads or overall_leads,
            accept_logit=_logit(accept),
            distance_slope=distance_slope,
            hours_slope=hours_slope,
            hand_back_rate=hand_back_rate,
            miles_at=miles_at,
            hours_at=hours_at,
        )
    return behaviours
