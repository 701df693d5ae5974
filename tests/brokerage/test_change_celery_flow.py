"""Each change after award end to end through a real Celery worker on real PostgreSQL and Redis.

The worker (tests/foundation/celery_worker.py) brokers, re-brokers, expires variations and emails the
provider's staff (the console email backend writes to its log). Each test checks the change's status
history, its audit events, the package's costs from the change's date (hand-computed: one hour of care a
day at £21.00, an hour and a half at £31.50) and the CCC's figures for changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from brokerage.changes.selectors import change_figures, weekly_cost_on
from brokerage.models import CarePackage, Offer, PackageChange
from brokerage.services.changes import (
    package_change_end,
    package_resume,
    package_suspend,
    package_vary,
    variation_accept,
    variation_decline,
)
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_record_care_started
from brokerage.tasks import expire_package_changes
from config.celery import app as celery_app
from homecare.audit.models import AuditEvent
from tests.brokerage.changes_helpers import HOUR_A_DAY, HOUR_AND_A_HALF_A_DAY, day
from tests.brokerage.factories import make_isa, make_market
from tests.brokerage.test_celery_flow import REDIS_URL, WAIT_SECONDS, _test_database_url, sweep
from tests.conftest import IN_CI
from tests.factories import make_provider_user
from tests.foundation.celery_worker import RunningWorker, celery_worker

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[RunningWorker]:
    """A real worker on its own queue, writing to pytest's PostgreSQL test database (as test_celery_flow)."""
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the Celery flow tests on PostgreSQL and Redis")
        pytest.skip("Needs DATABASE_URL (PostgreSQL) and REDIS_URL for a real worker")
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    with celery_worker(env=env, log_dir=tmp_path) as running, running.sending_here():
        yield running


def _awarded_through_the_worker(market, officer):
    """Enter a package, let the worker rank and offer it, then the best provider accepts and starts care."""
    package = package_enter(isa=make_isa(market, visits=HOUR_A_DAY), entered_by=officer).package
    return package


def _offers(package: CarePackage, round_number: int) -> list[Offer]:
    return list(Offer.objects.filter(package=package, round_number=round_number).order_by("rank"))


def _accept_and_start(worker, package, provider, *, round_number=1, start_offset=0, start=True):
    worker.wait_until(lambda: len(_offers(package, round_number)) > 0, f"round {round_number} offers")
    user = make_provider_user(provider, email=f"rota-{provider.pk}-{round_number}@example.org")
    offer = Offer.objects.get(package=package, round_number=round_number, provider=provider)
    offer_accept(offer_id=offer.pk, provider_user=user, start_on=day(start_offset))
    if start:
        offer_record_care_started(offer_id=offer.pk, provider_user=user, started_on=day(start_offset))
    package.refresh_from_db()
    return user


def _notified(worker, change: PackageChange, subject_part: str) -> None:
    worker.wait_until(
        lambda: (
            PackageChange.objects.filter(pk=change.pk, notified_at__isnull=False).exists()
            and subject_part in worker.log()
        ),
        f"the email about {change}",
    )


def _history(change: PackageChange) -> list[str]:
    return list(change.status_events.values_list("to_status", flat=True))


def _audit(change: PackageChange) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(change.pk), action__startswith="package_change.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_variation_accepted_through_the_worker(worker, officer, ccc_user):
    market = make_market(providers=2)
    package = _awarded_through_the_worker(market, officer)
    user = _accept_and_start(worker, package, market.providers[0])
    assert package.status == "care_started"

    change = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(3), visits=HOUR_AND_A_HALF_A_DAY
    )
    _notified(worker, change, "proposes a change to the care")
    assert change_figures(user=ccc_user).variations_waiting == 1
    variation_accept(change_id=change.pk, provider_user=user)

    change.refresh_from_db()
    assert _history(change) == ["proposed", "accepted"]
    assert _audit(change) == ["package_change.proposed", "package_change.accepted"]
    assert weekly_cost_on(package, day(0)) == Decimal("189.00")  # 3 x £21.00 + 4 x £31.50
    figures = change_figures(user=ccc_user)
    assert figures.variations_waiting == 0 and figures.by_kind_and_status[("variation", "accepted")] == 1


def test_a_variation_declined_is_rebrokered_by_the_worker_and_the_old_care_runs_on(worker, officer, ccc_user):
    market = make_market(providers=3)
    a, b, _c = market.providers
    package = _awarded_through_the_worker(market, officer)
    user = _accept_and_start(worker, package, a)
    change = package_vary(
        package_id=package.pk,
        requested_by=officer,
        effective_from=day(2),
        visits=HOUR_AND_A_HALF_A_DAY,
        exclude_current_provider=True,
    )
    variation_decline(change_id=change.pk, provider_user=user, note="No carers for longer calls")
    assert change_figures(user=ccc_user).rebrokering == 1
    # The worker ranks round 2 without A and offers it; B accepts to start on day 3.
    _accept_and_start(worker, package, b, round_number=2, start_offset=3, start=False)
    assert {o.provider_id for o in _offers(package, 2)} == {b.pk, market.providers[2].pk}

    change.refresh_from_db()
    assert package.status == "awarded" and package.awarded_provider == b
    assert _history(change) == ["proposed", "declined", "rebrokering", "replaced"]
    assert _audit(change) == [
        "package_change.proposed", "package_change.declined", "package_change.rebrokered", "package_change.replaced",
    ]  # fmt: skip
    assert weekly_cost_on(package, day(0)) == Decimal("189.00")  # A's 3 x £21.00, then B's 4 x £31.50
    assert change_figures(user=ccc_user).rebrokering == 0


def test_a_variation_nobody_answers_is_expired_by_the_beat_task_and_rebrokered(worker, officer):
    market = make_market(providers=2)
    package = _awarded_through_the_worker(market, officer)
    _accept_and_start(worker, package, market.providers[0])
    change = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    PackageChange.objects.filter(pk=change.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    result = celery_app.send_task(expire_package_changes.name)
    assert result.get(timeout=WAIT_SECONDS) == 1
    children: list[Any] = list(result.children or [])  # celery-types types these as tuples
    for child in children:
        child.get(timeout=WAIT_SECONDS)
    change.refresh_from_db()
    assert _history(change) == ["proposed", "expired", "rebrokering"]
    # The expiry ran in the worker, whose start message for round 2 is routed to this test's own queues (the
    # worker's HOMECARE_CELERY_QUEUE_PREFIX): the worker brokers it, and the sweep finds nothing left. The
    # unanswering provider is not excluded unless the council said so.
    worker.wait_until(lambda: len(_offers(package, 2)) == 2, "round 2 offered by the worker")
    assert sweep() == 0
    again = celery_app.send_task(expire_package_changes.name)
    assert again.get(timeout=WAIT_SECONDS) == 0  # nothing left to expire


def test_a_suspension_with_a_retainer_then_resumption_through_the_worker(worker, officer, ccc_user):
    market = make_market(providers=2)
    market.agreement.suspension_retainer_days = 2
    market.agreement.save()
    package = _awarded_through_the_worker(market, officer)
    _accept_and_start(worker, package, market.providers[0])
    change = package_suspend(
        package_id=package.pk, suspended_by=officer, starts_on=day(1), expected_return_on=day(5), reason="hospital"
    )
    _notified(worker, change, "the care is suspended")
    assert change_figures(user=ccc_user).suspended == 1
    package_resume(package_id=package.pk, resumed_by=officer, resumed_on=day(5))
    _notified(worker, change, "the care resumes")

    change.refresh_from_db()
    assert _history(change) == ["active", "resumed"]
    assert _audit(change) == ["package_change.started", "package_change.resumed"]
    # Paid: day 0, retainer days 1 and 2, then days 5 and 6 after resuming; not days 3 and 4.
    assert weekly_cost_on(package, day(0)) == Decimal("105.00")
    assert change_figures(user=ccc_user).suspended == 0


def test_an_end_through_the_worker(worker, officer, ccc_user):
    market = make_market(providers=2)
    package = _awarded_through_the_worker(market, officer)
    _accept_and_start(worker, package, market.providers[0])
    change = package_change_end(package_id=package.pk, ended_by=officer, ended_on=day(3), reason="died")
    _notified(worker, change, "the care ends")

    package.refresh_from_db()
    assert package.status == "ended" and package.ended_on == day(3)
    assert _history(change) == ["completed"] and _audit(change) == ["package_change.completed"]
    assert package.status_changes.last().to_status == "ended"
    assert weekly_cost_on(package, day(0)) == Decimal("84.00")  # days 0 to 3 only
    assert change_figures(user=ccc_user).ended == 1
