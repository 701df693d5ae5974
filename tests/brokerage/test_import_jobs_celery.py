"""Background package imports through a real Celery worker on real PostgreSQL and Redis.

The worker is a separate process (``celery -A config worker --pool=solo``) on its own queue, writing to
pytest's test database; the test reads the job's progress from the database (and through the progress page)
while the worker runs it. A worker is killed with SIGKILL to interrupt a job, exactly as a lost machine would.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection
from django.db.models import F

from brokerage.models import CarePackage, PackageImportJob
from brokerage.services.import_jobs import PROGRESS_EVERY, STALE_AFTER, package_import_queue
from brokerage.tasks import recover_package_imports, run_package_import
from config.celery import app as celery_app
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_market
from tests.brokerage.test_import_jobs import rows_csv
from tests.conftest import IN_CI, client_for
from tests.foundation.celery_worker import RunningWorker, celery_worker

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

REDIS_URL = os.environ.get("REDIS_URL", "")
WAIT_SECONDS = 120.0


def _test_database_url() -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{connection.settings_dict['NAME']}"))


@contextmanager
def running_worker(log_dir: Path) -> Iterator[RunningWorker]:
    """A worker whose queue this process sends to (the services' enqueue and the tests' own sends)."""
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": _test_database_url()}
    with celery_worker(env=env, log_dir=log_dir) as worker, worker.sending_here():
        yield worker


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Callable[[], AbstractContextManager[RunningWorker]]:
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the Celery import tests on PostgreSQL and Redis")
        pytest.skip("Needs DATABASE_URL (PostgreSQL) and REDIS_URL for a real worker")
    return lambda: running_worker(tmp_path)


def watch(
    worker: RunningWorker, job: PackageImportJob, until: Callable[[PackageImportJob], bool]
) -> list[tuple[str, int, int]]:
    """Poll the job's row until ``until`` holds; every distinct (status, checked, saved) seen along the way."""
    seen: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job.refresh_from_db()
        state = (job.status, job.rows_checked, job.rows_saved)
        if not seen or seen[-1] != state:
            seen.append(state)
        if until(job):
            return seen
        if worker.process.poll() is not None:
            raise AssertionError(f"The worker exited while importing:\n{worker.log()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out at {state}. Worker log:\n{worker.log()}")
        time.sleep(0.05)


def test_a_large_file_is_imported_by_the_worker_with_progress_visible_while_it_runs(workers, officer):
    market = make_market(providers=1)
    rows = 4 * PROGRESS_EVERY
    client = client_for(officer)  # signed in fully: the second factor is owed by officers
    with workers() as worker:
        job = package_import_queue(text=rows_csv(market, rows), file_name="legacy.csv", uploaded_by=officer)
        halfway = watch(worker, job, lambda j: j.status == "checking" and 0 < j.rows_checked < rows)
        page = client.get(f"/commissioning/packages/import/{job.pk}/progress/").content.decode()
        assert re.search(rf"Checked \d+ of {rows} rows|Saving: \d+ of {rows} packages", page), page
        seen = halfway + watch(worker, job, lambda j: j.is_finished)
    assert (job.status, job.saved, job.attempts) == ("done", rows, 1), job.error
    assert CarePackage.objects.count() == rows
    checked = [count for status, count, _ in seen if status == "checking"]
    assert checked == sorted(checked) and any(0 < count < rows for count in checked)
    assert any(status == "saving" for status, _, _ in seen)


def test_a_bad_row_saves_nothing_and_a_second_run_of_the_task_saves_nothing_more(workers, officer):
    market = make_market(providers=1)
    with workers() as worker:
        bad = package_import_queue(
            text=rows_csv(market, 150, **{"120": {"postcode": "nowhere"}}), file_name="bad.csv", uploaded_by=officer
        )
        good = package_import_queue(text=rows_csv(market, 5), file_name="good.csv", uploaded_by=officer)
        watch(worker, bad, lambda j: j.is_finished)
        watch(worker, good, lambda j: j.is_finished)
        again = [celery_app.send_task(run_package_import.name, args=(job.pk,)) for job in (bad, good)]
        assert [worker.wait_for(result) for result in again] == [False, False]  # nothing left to claim
    assert bad.status == "failed" and bad.saved == 0
    assert [(row["row"], row["reference"]) for row in bad.failed_rows] == [(122, "LEGACY-120")]
    assert good.status == "done" and good.saved == 5
    assert CarePackage.objects.count() == 5  # the good file's, once


def test_a_job_whose_worker_is_killed_is_run_again_from_the_start_by_the_sweep(workers, officer):
    market = make_market(providers=1)
    rows = 4 * PROGRESS_EVERY
    with workers() as first:
        job = package_import_queue(text=rows_csv(market, rows), file_name="legacy.csv", uploaded_by=officer)
        watch(first, job, lambda j: j.rows_checked >= PROGRESS_EVERY)
        first.process.kill()  # SIGKILL: no warm shutdown, the job is left mid-way
        first.process.wait(timeout=20)
    job.refresh_from_db()
    assert job.status in ("checking", "saving") and job.attempts == 1
    with workers() as second:
        sweep = celery_app.send_task(recover_package_imports.name)
        assert second.wait_for(sweep) == 0  # silent for less than the timeout: maybe only slow, left alone
        # As if the timeout had passed since the killed worker's last progress write.
        PackageImportJob.objects.filter(pk=job.pk).update(
            heartbeat_at=F("heartbeat_at") - STALE_AFTER - timedelta(seconds=1)
        )
        sweep = celery_app.send_task(recover_package_imports.name)
        assert second.wait_for(sweep) == 1
        watch(second, job, lambda j: j.is_finished)
    assert (job.status, job.saved, job.attempts) == ("done", rows, 2), job.error
    assert CarePackage.objects.count() == rows
    assert AuditEvent.objects.filter(action=AuditAction.PACKAGE_IMPORT_RESTARTED, target_id=str(job.pk)).count() == 1
