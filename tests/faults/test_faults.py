"""Faults with the real parts: a broker outage during intake, a worker killed during allocation, and one killed
part-way through a large ECM import job.

Each test starts its own ``redis-server`` on a free port (never the shared one) and real Celery workers
(``tests.foundation.celery_worker``) against pytest's PostgreSQL test database, then stops them. Nothing is
simulated: the broker really goes away, the worker really dies (SIGKILL), and the proof is read back from
the database and from the workers' own logs (the console email backend prints every email they send).
"""

from __future__ import annotations

import os
import re
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
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_isa, make_market
from tests.brokerage.test_api import payload, token_client
from tests.conftest import IN_CI
from tests.factories import make_provider_user
from tests.foundation.celery_worker import celery_worker, client_app, sending_to
from tests.foundation.redis_server import RunningRedis, redis_server
from tests.visits.fixtures import make_pay_world
from tests.visits.test_import_jobs_celery import many_visits, watch
from visits.models import ActualVisit, ActualVisitImport, VisitImportJob
from visits.services.import_jobs import PROGRESS_EVERY, STALE_AFTER, ecm_import_queue
from visits.tasks import recover_visit_imports, run_visit_import

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
        first.kill()
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


ECM_ROWS = 12 * PROGRESS_EVERY  # 24,000 visits: a file the portal sends to a background job


@pytest.mark.parametrize(
    ("killed_while", "killed"),
    [("checking", "worker"), ("saving", "worker"), ("checking", "pool child")],
)
def test_a_worker_killed_mid_way_through_a_large_ecm_import_leaves_exactly_one_clean_import(
    transactional_db: None, own_redis: RunningRedis, officer: Any, tmp_path: Path, killed_while: str, killed: str
) -> None:
    """SIGKILL the worker (or only its pool child) while it checks or saves a 24,000-visit file; the sweep and a
    new worker finish it.

    The worker is a prefork one, as deployed. Killed whole (process and pool child), its run's message stays
    unacknowledged in Redis until the transport's visibility timeout (an hour by default). Killed in its pool
    child only (as the OOM killer does), the worker puts the message back (acks late, reject on worker lost)
    and runs it again at once, which claims nothing: the job is not queued. Either way recovery is the beat
    sweep ``visits.tasks.recover_visit_imports``, sent to a new worker once the job's heartbeat is older than
    ``STALE_AFTER`` (aged in the database rather than waited for); the late redelivery of a whole-worker kill is
    then sent by hand and claims nothing. The file is saved all or nothing, so at every look after the kill there
    are no visits or all of them; at the end there is one import of every row, the job is done, and the same
    file again changes nothing.
    """
    world = make_pay_world(officer)
    text = many_visits(world, ECM_ROWS)
    env = _worker_env(own_redis)
    with celery_worker(env=env, log_dir=tmp_path, pool="prefork") as first:
        with services_enqueue_to(own_redis, first.prefix):
            job = ecm_import_queue(text=text, file_name="month.csv", provider_user=world.provider_user)
        if killed_while == "checking":
            watch(first, job, lambda j: j.status == "checking" and PROGRESS_EVERY <= j.rows_checked < ECM_ROWS)
        else:
            watch(first, job, lambda j: j.status == "saving")
        if killed == "worker":
            pids = first.kill()
        else:
            pids = first.kill_pool_children()
            redelivered = re.compile(rf"Task {re.escape(run_visit_import.name)}\[[^]]+\] succeeded in [^:]+: False")
            first.wait_until(lambda: redelivered.search(first.log()) is not None, "the message run again")
    job.refresh_from_db()
    visits_after_kill = ActualVisit.objects.count()
    # Stuck as the worker left it: nobody else is running it, and nothing partial was saved.
    assert job.status in ("checking", "saving") and job.attempts == 1 and not job.is_finished
    assert (visits_after_kill, ActualVisitImport.objects.count()) in ((0, 0), (ECM_ROWS, 1))
    assert (job.visit_import_id is not None) == (visits_after_kill == ECM_ROWS)
    if killed_while == "checking":
        assert visits_after_kill == 0

    VisitImportJob.objects.filter(pk=job.pk).update(heartbeat_at=F("heartbeat_at") - STALE_AFTER - timedelta(seconds=1))
    visit_counts_seen: set[int] = set()
    with celery_worker(env=env, log_dir=tmp_path) as second:
        client = client_app(broker=own_redis.url, backend=own_redis.url, queue=second.queue)
        resent = client.send_task(recover_visit_imports.name).get(timeout=WAIT_SECONDS)

        def finished(polled: VisitImportJob) -> bool:
            visit_counts_seen.add(ActualVisit.objects.count())
            return polled.is_finished

        watch(second, job, finished)
        assert client.send_task(recover_visit_imports.name).get(timeout=WAIT_SECONDS) == 0  # nothing left
        # The killed run's own message, redelivered late: the job is not queued, so it claims nothing.
        assert client.send_task(run_visit_import.name, args=(job.pk,)).get(timeout=WAIT_SECONDS) is False

        before = list(ActualVisit.objects.order_by("pk").values_list("pk", "fingerprint", "received_at"))
        with services_enqueue_to(own_redis, second.prefix):
            again = ecm_import_queue(text=text, file_name="month.csv", provider_user=world.provider_user)
        watch(second, again, lambda j: j.is_finished)

    assert visit_counts_seen <= {0, ECM_ROWS}, visit_counts_seen  # never part of the file
    restarted = visits_after_kill == 0  # else the save had committed: the sweep only records the outcome
    assert resent == (1 if restarted else 0)
    assert (job.status, job.error, job.text) == ("done", "", "")
    assert (job.rows_total, job.rows_checked) == (ECM_ROWS, ECM_ROWS)
    assert job.attempts == (2 if restarted else 1)
    assert job.visit_import is not None
    assert (job.visit_import.rows, job.visit_import.created, job.visit_import.updated) == (ECM_ROWS, ECM_ROWS, 0)
    visit_ids = list(ActualVisit.objects.values_list("provider_visit_id", flat=True))
    assert sorted(visit_ids) == sorted(f"V{n}" for n in range(ECM_ROWS))  # every row, each once
    imports = set(ActualVisitImport.objects.values_list("pk", flat=True))
    assert imports == {job.visit_import_id, again.visit_import_id} and len(imports) == 2  # one save of the file each
    audit = Counter(AuditEvent.objects.filter(target_id=str(job.pk)).values_list("action", flat=True))
    assert audit[AuditAction.VISIT_IMPORT_FINISHED] == 1
    assert audit[AuditAction.VISIT_IMPORT_RESTARTED] == (1 if restarted else 0)

    assert again.status == "done" and again.visit_import is not None
    assert (again.visit_import.created, again.visit_import.updated, again.visit_import.unchanged) == (0, 0, ECM_ROWS)
    assert list(ActualVisit.objects.order_by("pk").values_list("pk", "fingerprint", "received_at")) == before
    print(
        f"\nECM import {killed} (pids {pids}) killed while {killed_while}: "
        f"{visits_after_kill} of {ECM_ROWS} visits saved at the kill; after recovery {len(visit_ids)}, "
        f"attempts {job.attempts}"
    )
