"""Faults with the real parts: a broker outage during intake, and a worker killed during allocation.

Each test starts its own ``redis-server`` on a free port (never the shared one) and real Celery workers
(``tests.foundation.celery_worker``) against pytest's PostgreSQL test database, then stops them. Nothing is
simulated: the broker really goes away, the worker really dies (SIGKILL), and the proof is read back from
the database and from the workers' own logs (the console email backend prints every email they send).
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
from celery import Celery
from django.db import connection
from django.db.models import Count, F

from brokerage.models import AllocationRun, CarePackage, Offer
from brokerage.services.packages import package_enter
from config.celery import app as project_app
from tests.brokerage.factories import make_isa, make_market
from tests.brokerage.test_api import payload, token_client
from tests.conftest import IN_CI
from tests.factories import make_provider_user
from tests.foundation.celery_worker import celery_worker, client_app, sending_to
from tests.foundation.redis_server import RunningRedis, redis_server

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

WAIT_SECONDS = 90.0
REFERRALS = 96


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RunningRedis]:
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the fault tests on PostgreSQL")
        pytest.skip("Needs DATABASE_URL (PostgreSQL) for the fault tests' workers")
    with redis_server(log_dir=tmp_path) as redis:
        yield redis


@contextmanager
def services_enqueue_to(redis: RunningRedis, prefix: str) -> Iterator[None]:
    """Make the services of this process send to ``redis`` (the queues named with ``prefix``), as a web server
    configured so."""
    app = Celery("homecare", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=redis.url, result_backend=redis.url)
    app.conf.task_always_eager = False
    app.set_current()
    try:
        with sending_to(prefix, app):
            yield
    finally:
        project_app.set_current()
        app.close()


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


def _worker_env(redis: RunningRedis) -> dict[str, str]:
    return {
        "REDIS_URL": redis.url,
        "DATABASE_URL": _test_database_url(),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


def sweep(client: Celery, task: str = "brokerage.tasks.broker_due_packages") -> Any:
    """Run a beat sweep through the worker; wait for it and every task it fanned out."""
    result = client.send_task(task)
    value = result.get(timeout=WAIT_SECONDS)
    children: list[Any] = list(result.children or [])
    for child in children:
        child.get(timeout=WAIT_SECONDS)
    return value


def test_intake_answers_201_through_a_broker_outage_and_everything_is_ranked_when_it_returns(
    transactional_db: None, own_redis: RunningRedis, officer: Any, tmp_path: Path
) -> None:
    """The Redis the services send to is stopped; referrals keep arriving; then it comes back.

    1. Every referral posted while the broker is down is answered 201 in about a second at most, and saved.
    2. Once the broker is back, a worker and the beat sweep rank every one of them from the database.
    """
    market = make_market(providers=3)
    integrator = token_client(officer)
    timings: list[float] = []
    with services_enqueue_to(own_redis, "outage-test-"):
        # One referral while the broker is up, so the timings below measure the outage, not first-use imports.
        warm = integrator.post("/api/packages/", payload(market, external_reference="OUTAGE-up"), format="json")
        assert warm.status_code == 201
        own_redis.stop()
        for number in range(REFERRALS):
            started = time.perf_counter()
            response = integrator.post(
                "/api/packages/", payload(market, external_reference=f"OUTAGE-{number}"), format="json"
            )
            timings.append(time.perf_counter() - started)
            assert response.status_code == 201, response.content
    # About a second at most for the broker's part; the bound on the slowest leaves room for this shared,
    # noisy 2-core machine (the figures are printed for the record).
    ordered = sorted(timings)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    assert p90 < 1.0 and ordered[-1] < 3.0, f"p90 {p90:.2f} s, slowest {ordered[-1]:.2f} s during the outage"
    packages = CarePackage.objects.filter(source_system="mosaic", external_reference__startswith="OUTAGE-")
    assert packages.count() == REFERRALS + 1
    assert set(packages.values_list("status", flat=True)) == {CarePackage.Status.BROKERING}
    assert not AllocationRun.objects.exists()  # nothing reached a worker: the broker was down

    own_redis.start()  # the broker returns, empty: the lost start messages are gone for good
    with celery_worker(env=_worker_env(own_redis), log_dir=tmp_path) as worker:
        client = client_app(broker=own_redis.url, backend=own_redis.url, queue=worker.queue)
        assert sweep(client) == REFERRALS + 1
        assert sweep(client) == 0  # a second sweep finds nothing left to do
    ranked = AllocationRun.objects.filter(package__in=packages, round_number=1)
    assert ranked.count() == REFERRALS + 1
    assert Offer.objects.filter(package__in=packages).count() == (REFERRALS + 1) * 3
    slowest = ordered[-1] * 1000
    print(f"\nBroker outage: {REFERRALS} referrals answered 201, p90 {p90 * 1000:.0f} ms, slowest {slowest:.0f} ms")


def _emails(log: str) -> Counter[tuple[str, str]]:
    """(package reference, recipient) of every offer a worker emailed (console email backend): one email to a
    provider lists each of its new offers as a ``Package:`` line."""
    counts: Counter[tuple[str, str]] = Counter()
    for message in log.split("-" * 79):
        offer_email = re.search(r"^Subject: .*new homecare offer", message, re.M | re.I)
        recipient = re.search(r"^To: (\S+)", message, re.M)
        if offer_email and recipient:
            for reference in re.findall(r"^Package: (ISA-\d+)", message, re.M):
                counts[(reference, recipient[1])] += 1
    return counts


def test_a_worker_killed_during_allocation_loses_nothing_and_duplicates_nothing(
    transactional_db: None, own_redis: RunningRedis, officer: Any, tmp_path: Path
) -> None:
    """SIGKILL the worker part-way through a burst; a new worker and the sweeps finish the work.

    Afterwards every package is ranked exactly once for its round, each provider has at most one offer per
    package, and every offer was emailed to each member of its provider's staff exactly once.
    """
    packages_in_burst = 24
    market = make_market(providers=3)
    staff = {provider.pk: make_provider_user(provider).email for provider in market.providers}
    env = _worker_env(own_redis)
    with celery_worker(env=env, log_dir=tmp_path) as first:
        with services_enqueue_to(own_redis, first.prefix):
            packages = [
                package_enter(isa=make_isa(market, external_reference=f"KILL-{n}"), entered_by=officer).package
                for n in range(packages_in_burst)
            ]
        first.wait_until(lambda: AllocationRun.objects.count() >= 3, "the first rankings")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=20)
        ranked_before_kill = AllocationRun.objects.count()
        first_log = first.log()
    assert ranked_before_kill < packages_in_burst, "the worker finished before it could be killed"

    with celery_worker(env=env, log_dir=tmp_path) as second:
        client = client_app(broker=own_redis.url, backend=own_redis.url, queue=second.queue)
        sweep(client)
        # Offer emails whose tasks died with the first worker are due a minute after the offer was sent.
        Offer.objects.update(sent_at=F("sent_at") - timedelta(minutes=2))
        sweep(client, "brokerage.tasks.notify_missed_offers")
        second_log = second.log()

    ids = [package.pk for package in packages]
    runs = AllocationRun.objects.filter(package_id__in=ids).values("package", "round_number").annotate(n=Count("id"))
    assert len(runs) == packages_in_burst and {row["n"] for row in runs} == {1}
    offers = Offer.objects.filter(package_id__in=ids)
    assert offers.count() == packages_in_burst * len(market.providers)
    assert not offers.filter(notified_at__isnull=True).exists()
    emails = _emails(first_log) + _emails(second_log)
    expected = {(offer.package.reference, staff[offer.provider_id]) for offer in offers.select_related("package")}
    assert set(emails) == expected
    assert max(emails.values()) == 1, [pair for pair, n in emails.items() if n > 1]
    print(f"\nWorker killed after {ranked_before_kill} of {packages_in_burst} rankings; 0 lost, 0 duplicated")
