"""Each allocation policy end to end through a real Celery worker on real PostgreSQL and Redis.

The worker is a separate process (``celery -A config worker --pool=solo``) on its own queue, writing
to pytest's test database. Time passing is simulated by moving the package's stored timestamps back
(offers sent, deadlines, next action), exactly as if the hours had gone by; the beat task is then sent
through the broker and the worker does the rest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from brokerage.models import CarePackage, Offer
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_decline, package_hand_back
from brokerage.tasks import broker_due_packages
from config.celery import app as celery_app
from config.queues import DEFAULT
from contracts.models import AllocationPolicy
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import IN_CI
from tests.factories import make_provider_user
from tests.foundation.celery_worker import RunningWorker, celery_worker, sending_to

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

REDIS_URL = os.environ.get("REDIS_URL", "")
WAIT_SECONDS = 60.0


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[RunningWorker]:
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the Celery flow tests on PostgreSQL and Redis")
        pytest.skip("Needs DATABASE_URL (PostgreSQL) and REDIS_URL for a real worker")
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    # Tasks this process sends go to the test worker's own queues.
    with celery_worker(env=env, log_dir=tmp_path) as running, running.sending_here():
        yield running


def sweep() -> int:
    """Run the beat sweep through the worker and wait for it and every package task it fanned out."""
    result = celery_app.send_task(broker_due_packages.name)
    due = result.get(timeout=WAIT_SECONDS)
    children: list[Any] = list(result.children or [])  # celery-types types these as tuples
    for child in children:
        child.get(timeout=WAIT_SECONDS)
    return int(due)


def hours_pass(package: CarePackage, hours: float) -> None:
    """Move every clock of the package's brokering back by ``hours``, as if that much time had passed."""
    shift = timedelta(hours=hours)
    CarePackage.objects.filter(pk=package.pk).update(
        submitted_at=F("submitted_at") - shift, next_action_at=F("next_action_at") - shift
    )
    Offer.objects.filter(package=package).update(sent_at=F("sent_at") - shift, respond_by=F("respond_by") - shift)


def submit(market, officer) -> CarePackage:
    return package_enter(isa=make_isa(market), entered_by=officer).package


def offers(package: CarePackage, **filters) -> list[tuple[int, str]]:
    return list(
        Offer.objects.filter(package=package, **filters)
        .order_by("round_number", "rank")
        .values_list("provider", "status")
    )


def status_of(package: CarePackage) -> str:
    package.refresh_from_db()
    return package.status


START = timedelta(days=3)


def test_ranked_dps_through_celery_then_hand_back_and_rebrokering(worker, officer):
    market = make_market(policy=AllocationPolicy.RANKED_DPS, providers=3, response_window_hours=24)
    a, b, c = market.providers
    package = submit(market, officer)
    worker.wait_until(lambda: len(offers(package)) == 3, "the ranked offers")
    assert offers(package) == [(a.pk, "pending"), (b.pk, "pending"), (c.pk, "pending")]

    c_user = make_provider_user(c)
    offer_accept(
        offer_id=Offer.objects.get(package=package, provider=c).pk,
        provider_user=c_user,
        start_on=timezone.localdate() + START,
    )
    offer_decline(
        offer_id=Offer.objects.get(package=package, provider=a).pk,
        provider_user=make_provider_user(a),
        reason="no_capacity",
    )
    assert status_of(package) == "brokering"  # B could still respond and would rank above C

    hours_pass(package, 25)
    assert sweep() == 1
    assert status_of(package) == "awarded"
    assert package.awarded_provider == c
    assert offers(package) == [(a.pk, "declined"), (b.pk, "expired"), (c.pk, "awarded")]

    awarded = Offer.objects.get(package=package, provider=c)
    package_hand_back(
        offer_id=awarded.pk,
        provider_user=c_user,
        effective_on=timezone.localdate() + timedelta(days=14),
        reason="staffing",
    )
    worker.wait_until(lambda: len(offers(package, round_number=2)) == 1, "round 2 offers")
    # A declined this package and C handed it back: only B is offered in round 2.
    assert offers(package, round_number=2) == [(b.pk, "pending")]
    offer_accept(
        offer_id=Offer.objects.get(package=package, provider=b, round_number=2).pk,
        provider_user=make_provider_user(b),
        start_on=timezone.localdate() + timedelta(days=14),
    )
    assert status_of(package) == "awarded" and package.awarded_provider == b
    assert list(package.status_changes.values_list("to_status", flat=True)) == [
        "draft", "brokering", "awarded", "handed_back", "brokering", "awarded",
    ]  # fmt: skip


def test_sequential_cascade_through_celery_moves_on_after_decline_and_timeout(worker, officer):
    market = make_market(policy=AllocationPolicy.SEQUENTIAL_CASCADE, providers=3, cascade_offer_timeout_hours=4)
    a, b, c = market.providers
    package = submit(market, officer)
    worker.wait_until(lambda: len(offers(package)) == 1, "the first cascade offer")
    offer_decline(
        offer_id=Offer.objects.get(package=package, provider=a).pk,
        provider_user=make_provider_user(a),
        reason="start_date",
    )
    assert offers(package) == [(a.pk, "declined"), (b.pk, "pending")]

    hours_pass(package, 5)
    assert sweep() == 1
    assert offers(package) == [(a.pk, "declined"), (b.pk, "expired"), (c.pk, "pending")]
    offer_accept(
        offer_id=Offer.objects.get(package=package, provider=c).pk,
        provider_user=make_provider_user(c),
        start_on=timezone.localdate() + START,
    )
    assert status_of(package) == "awarded" and package.awarded_provider == c


def test_lead_provider_first_through_celery_then_escalation_to_the_ccc(worker, officer):
    market = make_market(
        policy=AllocationPolicy.LEAD_PROVIDER_FIRST, providers=3, lead_first_refusal_hours=24, response_window_hours=24
    )
    lead, b, c = market.providers
    package = submit(market, officer)
    worker.wait_until(lambda: len(offers(package)) == 1, "the lead's first refusal")
    assert Offer.objects.get(package=package).is_first_refusal

    hours_pass(package, 25)
    assert sweep() == 1
    assert offers(package) == [(lead.pk, "expired"), (b.pk, "pending"), (c.pk, "pending")]

    hours_pass(package, 25)
    assert sweep() == 1
    assert status_of(package) == "unplaced"
    assert package.escalated_at is not None
    escalation = package.status_changes.get(to_status="unplaced")
    assert escalation.reason.startswith("The lead provider did not take the package")


def test_a_lost_start_message_is_recovered_by_the_beat_task_from_the_database(worker, officer):
    market = make_market(providers=2)
    nowhere = f"nobody-listens-here-{worker.prefix}"
    with sending_to(nowhere):
        package = submit(market, officer)  # its start message goes where no worker will ever read it
    # The start message is really there, unread, in the queue nobody consumes.
    with celery_app.connection_for_write() as connection:
        channel: Any = connection.default_channel
        lost = channel.queue_declare(f"{nowhere}{DEFAULT}", passive=True).message_count
        channel.queue_delete(f"{nowhere}{DEFAULT}")
    assert lost == 1 and offers(package) == []
    assert sweep() == 1  # the package was due from the moment it was submitted
    assert len(offers(package)) == 2
    # Sweeping again finds nothing due and changes nothing.
    assert sweep() == 0
    assert len(offers(package)) == 2
