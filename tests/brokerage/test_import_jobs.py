"""Package CSV imports in the background: queued by the upload page, run by the task's service, recovered by
the sweep, followed on the job page. (Through a real worker: ``test_import_jobs_celery.py``.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from brokerage.models import CarePackage, PackageImportJob
from brokerage.services import import_jobs
from brokerage.services.import_jobs import package_import_queue, package_import_run, package_imports_recover
from brokerage.services.imports import csv_row_count
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_market
from tests.brokerage.test_import import as_csv, row

pytestmark = pytest.mark.django_db


def rows_csv(market, count, **overrides):
    """``count`` draft packages (so nothing is sent to market), each overridable by its 0-based index."""
    return as_csv(
        [
            row(market, external_reference=f"LEGACY-{i}", status="draft", **overrides.get(str(i), {}))
            for i in range(count)
        ]
    )


def actions_of(job: PackageImportJob) -> list[str]:
    events = AuditEvent.objects.filter(target_type=ContentType.objects.get_for_model(job), target_id=str(job.pk))
    return list(events.order_by("id").values_list("action", flat=True))


def silent_for(job: PackageImportJob, minutes: int) -> None:
    """As if ``minutes`` had passed since the job's last sign of life (its worker gone)."""
    PackageImportJob.objects.filter(pk=job.pk).update(heartbeat_at=F("heartbeat_at") - timedelta(minutes=minutes))


def test_queueing_keeps_the_file_audits_and_sends_the_task_after_commit(officer, django_capture_on_commit_callbacks):
    market = make_market(providers=1)
    with django_capture_on_commit_callbacks() as callbacks:
        job = package_import_queue(text=rows_csv(market, 3), file_name="legacy.csv", uploaded_by=officer)
    assert len(callbacks) == 1  # sent once the job is saved, never before
    assert job.status == "queued" and job.rows_total == 3 and job.uploaded_by == officer
    assert actions_of(job) == [AuditAction.PACKAGE_IMPORT_QUEUED]
    current_app.loader.import_default_modules()
    assert import_jobs.RUN_PACKAGE_IMPORT_TASK in current_app.tasks


def test_a_clean_file_is_saved_once_even_when_the_task_runs_twice(officer):
    market = make_market(providers=1)
    job = package_import_queue(text=rows_csv(market, 3), file_name="legacy.csv", uploaded_by=officer)
    assert package_import_run(job_id=job.pk) is True
    assert package_import_run(job_id=job.pk) is False  # nothing left to claim
    job.refresh_from_db()
    assert (job.status, job.saved, job.rows_checked, job.attempts) == ("done", 3, 3, 1)
    assert job.text == "" and job.finished_at is not None and job.error == ""
    assert CarePackage.objects.count() == 3
    assert actions_of(job) == [AuditAction.PACKAGE_IMPORT_QUEUED, AuditAction.PACKAGE_IMPORT_FINISHED]


def test_one_bad_row_saves_nothing_and_the_report_names_the_row(officer):
    market = make_market(providers=1)
    text = rows_csv(market, 4, **{"2": {"postcode": "nowhere", "visits": "Funday 8-9"}})
    job = package_import_queue(text=text, file_name="legacy.csv", uploaded_by=officer)
    package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.saved == 0 and CarePackage.objects.count() == 0
    [failed] = job.failed_rows
    assert failed["row"] == 4 and failed["reference"] == "LEGACY-2"
    errors = " ".join(failed["errors"])  # type: ignore[arg-type]
    assert "visits" in errors and "postcode" in errors
    assert AuditEvent.objects.get(action=AuditAction.PACKAGE_IMPORT_FINISHED).data["rows_with_errors"] == 1


def test_a_file_without_its_columns_fails_with_a_file_error(officer):
    job = package_import_queue(text="name,age\nMary,80\n", file_name="wrong.csv", uploaded_by=officer)
    package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.file_errors[0].startswith("The file has no column")


def test_rows_are_counted_as_the_import_reads_them():
    assert csv_row_count('external_reference,given_name\nA,"Mary\nAnn"\n\nB,Joe\n') == 2
    assert csv_row_count("") == 0


def test_the_sweep_resends_a_job_whose_message_was_lost_and_restarts_one_whose_worker_stopped(officer):
    market = make_market(providers=1)
    lost = package_import_queue(text=rows_csv(market, 2), file_name="lost.csv", uploaded_by=officer)
    fresh = package_import_queue(text=rows_csv(market, 2), file_name="fresh.csv", uploaded_by=officer)
    stopped = package_import_queue(text=rows_csv(market, 2), file_name="stopped.csv", uploaded_by=officer)
    # A worker claimed ``stopped`` and was killed mid-way: running, and no sign of life since.
    PackageImportJob.objects.filter(pk=stopped.pk).update(status="checking", attempts=1, rows_checked=1)
    silent_for(lost, 2)
    assert package_imports_recover(now=timezone.now()) == [lost.pk]  # ``stopped`` is not silent long enough yet
    silent_for(stopped, 6)
    assert package_imports_recover(now=timezone.now()) == [stopped.pk]  # ``lost`` was sent a moment ago
    stopped.refresh_from_db()
    assert stopped.status == "queued"
    assert actions_of(stopped)[-1] == AuditAction.PACKAGE_IMPORT_RESTARTED
    assert package_import_run(job_id=stopped.pk) is True  # from the first row again
    stopped.refresh_from_db()
    assert (stopped.status, stopped.saved, stopped.attempts) == ("done", 2, 2)
    fresh.refresh_from_db()
    assert fresh.status == "queued"


def test_a_job_interrupted_every_time_is_failed_instead_of_run_forever(officer):
    market = make_market(providers=1)
    job = package_import_queue(text=rows_csv(market, 2), file_name="heavy.csv", uploaded_by=officer)
    PackageImportJob.objects.filter(pk=job.pk).update(status="saving", attempts=import_jobs.MAX_ATTEMPTS)
    silent_for(job, 6)
    assert package_imports_recover(now=timezone.now()) == []
    job.refresh_from_db()
    assert job.status == "failed" and "interrupted 3 times" in job.error and job.text == ""
    assert CarePackage.objects.count() == 0


def test_a_job_whose_worker_stopped_after_the_save_committed_is_finished_not_run_again(officer):
    market = make_market(providers=1)
    job = package_import_queue(text=rows_csv(market, 2), file_name="legacy.csv", uploaded_by=officer)
    package_import_run(job_id=job.pk)
    # As a worker lost between the save's commit and the record of it leaves the job: saving, with its count
    # (written in the save's own transaction) and the packages.
    PackageImportJob.objects.filter(pk=job.pk).update(status="saving", finished_at=None)
    silent_for(job, 6)
    assert package_imports_recover(now=timezone.now()) == []
    job.refresh_from_db()
    assert (job.status, job.saved, job.rows_total, job.attempts) == ("done", 2, 2, 1)
    assert CarePackage.objects.count() == 2


# --- The pages -------------------------------------------------------------------------------------------


@pytest.fixture
def small_limit(settings):
    settings.HOMECARE_IMPORT_IN_REQUEST_MAX_ROWS = 2


def upload(client, text: str, name: str = "legacy.csv"):
    return client.post("/commissioning/packages/import/", {"file": SimpleUploadedFile(name, text.encode())})


def test_a_small_file_is_still_imported_within_the_request(officer_client, small_limit):
    market = make_market(providers=1)
    response = upload(officer_client, rows_csv(market, 2))
    assert response.status_code == 302 and response["Location"] == "/commissioning/packages/"
    assert CarePackage.objects.count() == 2 and not PackageImportJob.objects.exists()


def test_a_large_file_becomes_a_job_whose_page_shows_progress_then_the_result(officer, officer_client, small_limit):
    market = make_market(providers=1)
    response = upload(officer_client, rows_csv(market, 3))
    job = PackageImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/commissioning/packages/import/{job.pk}/"
    assert CarePackage.objects.count() == 0  # nothing imported within the request

    page = officer_client.get(response["Location"]).content.decode()
    assert "Waiting for the import to start" in page
    assert f'hx-get="/commissioning/packages/import/{job.pk}/progress/"' in page
    assert '<noscript><meta http-equiv="refresh"' in page and ">Refresh</a>" in page
    # Half-way through checking, as a worker leaves it between two progress writes.
    PackageImportJob.objects.filter(pk=job.pk).update(status="checking", rows_checked=2, rows_total=3)
    progress = officer_client.get(f"/commissioning/packages/import/{job.pk}/progress/")
    assert "Checked 2 of 3 rows" in progress.content.decode() and "HX-Refresh" not in progress
    PackageImportJob.objects.filter(pk=job.pk).update(status="queued")

    package_import_run(job_id=job.pk)  # what the worker does
    finished = officer_client.get(f"/commissioning/packages/import/{job.pk}/progress/")
    assert finished["HX-Refresh"] == "true"  # htmx reloads the whole page for the result
    page = officer_client.get(f"/commissioning/packages/import/{job.pk}/").content.decode()
    assert "Imported 3 packages" in page and 'href="/commissioning/packages/"' in page
    assert "http-equiv" not in page and "hx-get" not in page  # a finished job stops refreshing
    listing = officer_client.get("/commissioning/packages/import/").content.decode()
    assert "Recent imports" in listing and f"/commissioning/packages/import/{job.pk}/" in listing


def test_a_large_file_with_a_bad_row_shows_the_errors_by_row(officer_client, small_limit):
    market = make_market(providers=1)
    upload(officer_client, rows_csv(market, 3, **{"1": {"given_name": ""}}))
    job = PackageImportJob.objects.get()
    package_import_run(job_id=job.pk)
    page = officer_client.get(f"/commissioning/packages/import/{job.pk}/").content.decode()
    assert "<title>Error: Import of legacy.csv" in page
    assert "Nothing was imported" in page and "1 of 3 rows have errors" in page
    assert "Errors by row" in page and "LEGACY-1" in page and "given_name" in page


def test_only_officers_see_imports(officer, provider_client, ccc_client):
    job = package_import_queue(text="external_reference\n", file_name="x.csv", uploaded_by=officer)
    for client in (provider_client, ccc_client):
        assert client.get(f"/commissioning/packages/import/{job.pk}/").status_code == 403
        assert client.get(f"/commissioning/packages/import/{job.pk}/progress/").status_code == 403


def test_an_unknown_job_is_not_found(officer_client):
    assert officer_client.get("/commissioning/packages/import/999999/").status_code == 404
