"""Exactly one provider wins a package, however many accept at the same moment (real PostgreSQL).

Each thread has its own database connection (Django's connections are per thread) and waits at a
barrier, so the accepts reach PostgreSQL together; the package row lock serialises them.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection, connections
from django.utils import timezone

from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.responses import OfferClosed, offer_accept
from contracts.models import AllocationPolicy
from tests.brokerage.factories import make_isa, make_market
from tests.factories import make_provider_user

PROVIDERS = 8
TRIALS = 20


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the concurrency test on PostgreSQL (set DATABASE_URL).")
        pytest.skip("Needs real PostgreSQL row locks: set DATABASE_URL to a PostgreSQL database.")


def _race(calls):
    """Run every call at once from its own thread; return each outcome (a value or the exception)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test is which calls raise
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_accepts_from_every_provider_award_the_package_exactly_once(officer):
    _require_postgres()
    for trial in range(TRIALS):
        market = make_market(
            policy=AllocationPolicy.SEQUENTIAL_CASCADE if trial % 2 else AllocationPolicy.RANKED_DPS,
            providers=PROVIDERS,
        )
        package = package_enter(isa=make_isa(market), entered_by=officer).package
        package_broker(package_id=package.pk)
        users = {p.pk: make_provider_user(p) for p in market.providers}
        offers = list(Offer.objects.filter(package=package))
        # A cascade has one offer out; every other provider's staff try the same offer's provider's door.
        start = timezone.localdate() + timedelta(days=3)
        calls = [
            partial(offer_accept, offer_id=o.pk, provider_user=users[o.provider_id], start_on=start) for o in offers
        ]
        if len(calls) == 1:
            offer = offers[0]
            extra_staff = [make_provider_user(offer.provider) for _ in range(PROVIDERS - 1)]
            calls += [partial(offer_accept, offer_id=offer.pk, provider_user=u, start_on=start) for u in extra_staff]
        outcomes = _race(calls)

        package.refresh_from_db()
        assert package.status == CarePackage.Status.AWARDED, (trial, outcomes)
        assert Offer.objects.filter(package=package, status=Offer.Status.AWARDED).count() == 1, trial
        assert package.status_changes.filter(to_status="awarded").count() == 1, trial
        unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, OfferClosed)]
        assert not unexpected, (trial, unexpected)
        refused = [o for o in outcomes if isinstance(o, OfferClosed)]
        if len(offers) == 1:
            assert len(refused) == PROVIDERS - 1, trial
