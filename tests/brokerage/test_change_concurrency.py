"""Changes after award racing each other and a hand-back or an answer, on real PostgreSQL (200 trials each).

Each call runs in its own thread with its own connection, released together by a barrier (the pattern of
test_concurrency.py). The package row lock serialises them; whichever wins, the package is left in one
consistent state. Each test reuses one package across its trials (resetting it through the services), so
the trials stay cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time
from functools import partial

import pytest
from django.utils import timezone

from brokerage.changes.patterns import pattern_of
from brokerage.isa import VisitData
from brokerage.models import CarePackage, Offer, PackageChange
from brokerage.services.changes import (
    ChangeClosed,
    package_resume,
    package_suspend,
    package_vary,
    variation_accept,
    variation_withdraw,
)
from brokerage.services.packages import PackageStateError
from brokerage.services.responses import package_award_manually, package_hand_back
from homecare.queue import enqueue_suspended
from tests.brokerage.changes_helpers import awarded_package, day
from tests.brokerage.factories import make_market
from tests.brokerage.test_concurrency import _race as _race_enqueueing
from tests.brokerage.test_concurrency import _require_postgres
from tests.factories import make_provider_user

TRIALS = 200

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_messages() -> Iterator[None]:
    """Nothing here needs a worker: the services' emails and brokering messages are not sent (the one
    switch, ``enqueue_suspended``), so the trials measure the locking, not a broker."""
    with enqueue_suspended():
        yield


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """``test_concurrency._race``, with enqueueing suspended in each thread too (a thread starts with a fresh
    context, so the switch does not reach it from the test)."""

    def quiet(call: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            with enqueue_suspended():
                return call()

        return run

    outcomes: list[object] = _race_enqueueing([quiet(call) for call in calls])
    return outcomes


def _pattern(minutes: int) -> tuple[VisitData, ...]:
    return tuple(VisitData(d, time(8, 0), time(10, 0), minutes, 1) for d in range(7))


def _refused(outcomes: list[object], *allowed: type[Exception]) -> list[object]:
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, allowed)]
    assert not unexpected, unexpected
    return [o for o in outcomes if isinstance(o, Exception)]


def _visit_minutes(package: CarePackage) -> set[int]:
    return set(package.visits.values_list("duration_minutes", flat=True))


def test_a_variation_racing_a_hand_back_leaves_no_variation_waiting_on_a_handed_back_package(officer):
    _require_postgres()
    market = make_market(providers=3)
    package, offer, user = awarded_package(market, officer, started=False)
    users = {market.providers[0].pk: user, **{p.pk: make_provider_user(p) for p in market.providers[1:]}}
    for trial in range(TRIALS):
        package.refresh_from_db()
        minutes = 75 if 75 not in _visit_minutes(package) else 90
        hand_back = partial(
            package_hand_back,
            offer_id=offer.pk,
            provider_user=users[offer.provider_id],
            effective_on=day(14),
            reason="staffing",
        )
        if trial % 2:
            # The provider's accept of a waiting variation races its own hand-back.
            change = package_vary(
                package_id=package.pk, requested_by=officer, effective_from=day(1), visits=_pattern(minutes)
            )
            accept = partial(variation_accept, change_id=change.pk, provider_user=users[offer.provider_id])
            outcomes = _race([accept, hand_back])
            refused = _refused(outcomes, ChangeClosed)
            change.refresh_from_db()
            package.refresh_from_db()
            if refused:  # the hand-back came first and withdrew the variation
                assert change.status == "withdrawn", (trial, outcomes)
            else:
                assert change.status == "accepted", (trial, outcomes)
                assert _visit_minutes(package) == {minutes}, trial
        else:
            # The officer's proposal races the hand-back.
            vary = partial(
                package_vary,
                package_id=package.pk,
                requested_by=officer,
                effective_from=day(1),
                visits=_pattern(minutes),
            )
            outcomes = _race([vary, hand_back])
            refused = _refused(outcomes, PackageStateError)
            package.refresh_from_db()
            changes = list(package.changes.filter(round_number=package.round_number - 1, kind="variation"))
            if refused:  # the hand-back came first: nothing to vary
                assert changes == [], (trial, outcomes)
            else:
                assert [c.status for c in changes] == ["withdrawn"], (trial, outcomes)
        assert package.status == CarePackage.Status.BROKERING, (trial, outcomes)
        assert not package.changes.filter(status="proposed").exists(), trial
        assert package.hand_backs.count() == trial + 1, trial
        # Award the next round by hand to another provider, for the next trial.
        next_provider = market.providers[(trial + 1) % 3]
        offer = package_award_manually(
            package_id=package.pk, provider_id=next_provider.pk, awarded_by=officer, reason="trial", start_on=day(0)
        )


def test_two_variations_racing_leave_exactly_one_waiting(officer):
    _require_postgres()
    market = make_market(providers=2)
    package, _offer, _user = awarded_package(market, officer, started=False)
    for trial in range(TRIALS):
        calls: list[Callable[[], object]] = [
            partial(
                package_vary, package_id=package.pk, requested_by=officer, effective_from=day(1), visits=_pattern(m)
            )
            for m in (75, 90)
        ]
        outcomes = _race(calls)
        refused = _refused(outcomes, PackageStateError)
        assert len(refused) == 1, (trial, outcomes)
        waiting = list(PackageChange.objects.filter(package=package, status="proposed"))
        assert len(waiting) == 1, trial
        winner = next(o for o in outcomes if isinstance(o, PackageChange))
        assert waiting[0].pk == winner.pk, trial
        assert waiting[0].status_events.count() == 1, trial
        variation_withdraw(change_id=winner.pk, withdrawn_by=officer, reason="next trial")
    assert PackageChange.objects.filter(package=package, kind="variation").count() == TRIALS


def test_a_suspension_racing_an_accept_leaves_one_suspension_and_a_variation_accepted_or_withdrawn(officer):
    _require_postgres()
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer, started=False)
    outcomes_seen: set[str] = set()
    for trial in range(TRIALS):
        package.refresh_from_db()
        minutes = 75 if 75 not in _visit_minutes(package) else 90
        before = pattern_of(package).visits
        change = package_vary(
            package_id=package.pk, requested_by=officer, effective_from=day(1), visits=_pattern(minutes)
        )
        outcomes = _race(
            [
                partial(variation_accept, change_id=change.pk, provider_user=user),
                partial(
                    package_suspend,
                    package_id=package.pk,
                    suspended_by=officer,
                    starts_on=timezone.localdate(),
                    expected_return_on=day(1),
                    reason="hospital",
                ),
            ]
        )
        refused = _refused(outcomes, ChangeClosed)
        change.refresh_from_db()
        package.refresh_from_db()
        suspensions = PackageChange.objects.filter(package=package, kind="suspension", status="active")
        assert suspensions.count() == 1, (trial, outcomes)  # the suspension always goes through
        if refused:
            assert change.status == "withdrawn", (trial, outcomes)
            assert pattern_of(package).visits == before, trial
            outcomes_seen.add("suspension first")
        else:
            assert change.status == "accepted", (trial, outcomes)
            assert _visit_minutes(package) == {minutes}, trial
            outcomes_seen.add("accept first")
        assert package.status == CarePackage.Status.AWARDED, trial
        package_resume(package_id=package.pk, resumed_by=officer, resumed_on=day(1))
    assert Offer.objects.filter(package=package, status="awarded").count() == 1
    print(f"outcomes seen over {TRIALS} trials: {sorted(outcomes_seen)}")
