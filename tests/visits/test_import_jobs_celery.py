"""Large ECM files through a real Celery worker on real PostgreSQL and Redis, followed on the progress page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from config.celery import app as celery_app
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.brokerage.test_import_jobs_celery import workers  # noqa: F401 - the fixture
from tests.conftest import client_for
from tests.foundation.celery_worker import RunningWorker
from tests.visits.fixtures import PERIOD_START, ecm_csv, make_pay_world, visit_row
from visits.models import ActualVisit, VisitImportJob
from visits.services.import_jobs import PROGRESS_EVERY, ecm_import_queue
from visits.tasks import run_visit_import

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]

WAIT_SECONDS = 120.0


def many_visits(world, count: int, *, bad_line: int | None = None) -> str:
    rows = []
    for n in range(count):
        day = PERIOD_START + timedelta(days=n % 28)
        row = visit_row(f"V{n}", world.a if n % 2 else world.b, day, "08:00", "08:05", "09:00")
        if n + 2 == bad_line:  # the header is line 1
            row[3] = "not a time"
        rows.append(row)
    return ecm_csv(rows)


def watch(worker: RunningWorker, job: VisitImportJob, until: Callable[[VisitImportJob], bool]) -> list[tuple[str, int]]:
    """Poll the job's row until ``until`` holds; every distinct (status, rows checked) seen along the way."""
    seen: list[tuple[str, int]] = []

    def reached() -> bool:
        job.refresh_from_db()
        state = (job.status, job.rows_checked)
        if not seen or seen[-1] != state:
            seen.append(state)
        return until(job)

    worker.wait_until(reached, f"import job {job.pk}", timeout=WAIT_SECONDS)
    return seen


def test_a_large_ecm_file_is_imported_by_the_worker_with_its_progress_bar_moving(workers, officer):  # noqa: F811
    world = make_pay_world(officer)
    rows = 20 * PROGRESS_EVERY
    text = many_visits(world, rows)
    client = client_for(world.provider_user)
    with workers() as worker:
        job = ecm_import_queue(text=text, file_name="month.csv", provider_user=world.provider_user)
        halfway = watch(worker, job, lambda j: j.status == "checking" and 0 < j.rows_checked < rows)
        page = client.get(f"/portal/visits/imports/{job.pk}/progress/").content.decode()
        assert re.search(rf"Checked [\d,]+ of {rows:,} visits|Saving all {rows:,} visits", page), page
        assert re.search(r'<progress id="import-progress-bar" class="hc-progress" max="100" value="\d+"', page), page
        seen = halfway + watch(worker, job, lambda j: j.is_finished)
        again = celery_app.send_task(run_visit_import.name, args=(job.pk,))
        assert worker.wait_for(again) is False  # nothing left to claim

        # The same file again, also through the worker: nothing changes.
        before = list(ActualVisit.objects.order_by("pk").values_list("pk", "fingerprint", "received_at"))
        second = ecm_import_queue(text=text, file_name="month.csv", provider_user=world.provider_user)
        watch(worker, second, lambda j: j.is_finished)
    assert (job.status, job.attempts, job.error) == ("done", 1, "")
    assert job.visit_import is not None and job.visit_import.created == rows and job.text == ""
    checked = [count for status, count in seen if status == "checking"]
    assert checked == sorted(checked) and any(0 < count < rows for count in checked)
    assert second.status == "done" and second.visit_import is not None
    assert (second.visit_import.created, second.visit_import.updated, second.visit_import.unchanged) == (0, 0, rows)
    assert list(ActualVisit.objects.order_by("pk").values_list("pk", "fingerprint", "received_at")) == before
    page = client.get(f"/portal/visits/imports/{job.pk}/").content.decode()
    assert f"{rows:,} visits checked" in page


def test_a_large_file_with_one_bad_row_saves_nothing_and_reports_the_row(workers, officer):  # noqa: F811
    world = make_pay_world(officer)
    with workers() as worker:
        job = ecm_import_queue(
            text=many_visits(world, 3 * PROGRESS_EVERY, bad_line=4321), file_name="bad.csv",
            provider_user=world.provider_user,
        )  # fmt: skip
        watch(worker, job, lambda j: j.is_finished)
    assert job.status == "failed" and job.visit_import is None
    assert [row["line"] for row in job.report["errors"]] == [4321]
    assert ActualVisit.objects.count() == 0
    finished = AuditEvent.objects.get(action=AuditAction.VISIT_IMPORT_FINISHED, target_id=str(job.pk))
    assert finished.data["status"] == "failed"
    page = client_for(world.provider_user).get(f"/portal/visits/imports/{job.pk}/").content.decode()
    assert "Nothing was imported" in page and "4321" in page
