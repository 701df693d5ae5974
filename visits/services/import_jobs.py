"""Large ECM files as a background job: kept in the database, run by a worker, followed on a progress page.

The package import's pattern (``brokerage.services.import_jobs``), sharing its generic parts
(``homecare.background_jobs``):

1. ``ecm_import_queue`` (the upload page, above ``HOMECARE_ECM_IN_REQUEST_MAX_ROWS`` rows) keeps the decoded file
   as a ``VisitImportJob`` and enqueues ``visits.tasks.run_visit_import`` after commit.
2. ``ecm_import_run`` (that task) claims the job (queued -> checking; a second delivery claims nothing), reads
   and checks every row, writing progress every ``PROGRESS_EVERY`` rows, then saves the whole file or none of
   it with ``actual_visits_save`` (one transaction, which also links the job to what it saved), and records the
   outcome. The save is the same as the in-request one, so a file imported twice changes nothing either way.
3. ``ecm_imports_recover`` (the beat sweep, every minute) resends jobs whose message was lost and restarts jobs
   whose worker stopped (no progress for ``STALE_AFTER``), from the start: nothing of a run is kept until its save
   commits. After ``MAX_ATTEMPTS`` starts a job is failed instead; one whose save had committed is finished.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.background_jobs import job_claim, job_this_run, jobs_gone_silent, jobs_to_resend
from homecare.queue import enqueue_on_commit
from providers.selectors import provider_for_user
from visits.ecm_format import RowError, csv_row_count, read_ecm_csv
from visits.models import ActualVisitImport, ActualVisitSource, VisitImportJob
from visits.services.actuals import ActualVisitsRefused, actual_visits_save

logger = logging.getLogger(__name__)

RUN_VISIT_IMPORT_TASK = "visits.tasks.run_visit_import"
Status = VisitImportJob.Status
PROGRESS_EVERY = 2000  # rows between progress writes (tens of milliseconds of reading)
RESEND_AFTER = timedelta(minutes=1)
STALE_AFTER = timedelta(minutes=5)  # a save of a million rows takes well under a minute
MAX_ATTEMPTS = 3
REPORTED_ROWS = 1000  # rows with errors kept for the page; the count says how many there were in all


class _Superseded(Exception):
    """The sweep restarted this job: the newer run carries on, this one stops."""


@transaction.atomic
def ecm_import_queue(*, text: str, file_name: str, provider_user: User) -> VisitImportJob:
    """Keep the decoded file as a job for a worker; the provider follows it on its page."""
    now = timezone.now()
    job = VisitImportJob.objects.create(
        provider=provider_for_user(user=provider_user),
        uploaded_by=provider_user,
        uploaded_at=now,
        heartbeat_at=now,
        file_name=file_name[:255],
        text=text,
        rows_total=csv_row_count(text),
    )
    audit_record(
        actor=provider_user,
        action=AuditAction.VISIT_IMPORT_QUEUED,
        target=job,
        summary=f"{job.file_name}: {job.rows_total} visits queued for import",
    )
    enqueue_on_commit(RUN_VISIT_IMPORT_TASK, job.pk)
    return job


def _this_run(job_id: int, attempt: int) -> QuerySet[VisitImportJob]:
    return job_this_run(VisitImportJob, job_id, attempt)


def ecm_import_run(*, job_id: int) -> bool:
    """Run one queued job to its end; False when there was nothing to claim (already run, or running)."""
    attempt = job_claim(VisitImportJob, job_id, status=Status.CHECKING, now=timezone.now(), rows_checked=0)
    if not attempt:
        return False
    job = VisitImportJob.objects.select_related("uploaded_by", "provider").get(pk=job_id)
    try:
        received = _check_and_save(job, attempt)
    except _Superseded:
        logger.warning("Visit import job %s attempt %s was restarted by the sweep; this run stops", job_id, attempt)
        return False
    except ActualVisitsRefused as refused:
        return _finish(job_id, attempt, received=None, refused=refused, error="")
    except Exception as error:
        _finish(job_id, attempt, received=None, error=f"The import stopped unexpectedly ({type(error).__name__}).")
        raise
    return _finish(job_id, attempt, received=received, error="")


def _check_and_save(job: VisitImportJob, attempt: int) -> ActualVisitImport:
    def read_so_far(count: int) -> None:
        if not _this_run(job.pk, attempt).update(rows_checked=count, heartbeat_at=timezone.now()):
            raise _Superseded

    reading = read_ecm_csv(job.text, progress=read_so_far, progress_every=PROGRESS_EVERY)
    if not reading.ok:
        raise ActualVisitsRefused(reading.errors, reading.file_errors)
    rows = len(reading.rows)
    saving = _this_run(job.pk, attempt).filter(status=Status.CHECKING)
    if not saving.update(status=Status.SAVING, rows_checked=rows, rows_total=rows, heartbeat_at=timezone.now()):
        raise _Superseded
    with transaction.atomic():
        received = actual_visits_save(
            provider=job.provider,
            rows=reading.rows,
            source=ActualVisitSource.ECM_FILE,
            received_by=job.uploaded_by,
            file_name=job.file_name,
            column_set=reading.column_set,
        )
        # In the save's transaction: committed with the visits or not at all (see ``ecm_imports_recover``).
        if not _this_run(job.pk, attempt).update(visit_import=received):
            raise _Superseded
    return received


def _report(refused: ActualVisitsRefused) -> dict[str, object]:
    def row(error: RowError) -> dict[str, object]:
        return {"line": error.line, "visit_id": error.visit_id, "messages": list(error.messages)}

    return {
        "file_errors": refused.file_errors,
        "errors": [row(error) for error in refused.errors[:REPORTED_ROWS]],
        "rows_with_errors": len(refused.errors),
    }


@transaction.atomic
def _finish(
    job_id: int,
    attempt: int,
    *,
    received: ActualVisitImport | None,
    error: str,
    refused: ActualVisitsRefused | None = None,
) -> bool:
    job = _this_run(job_id, attempt).select_related("uploaded_by").select_for_update(of=("self",)).first()
    if job is None:
        return False  # the sweep replaced this run; the newer one records the outcome
    job.status = Status.DONE if received is not None else Status.FAILED
    job.error = error
    job.report = _report(refused) if refused is not None else {}
    job.text = ""  # the visits, or the provider's own file, hold it now
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "error", "report", "text", "finished_at", "heartbeat_at"])
    if received is not None:
        summary = f"{job.file_name}: {received.created} new, {received.updated} corrected, {received.unchanged} known"
    else:
        rows_with_errors = refused.errors if refused is not None else []
        summary = f"{job.file_name}: nothing imported ({error or f'{len(rows_with_errors)} rows with errors'})"
    audit_record(
        actor=job.uploaded_by,
        action=AuditAction.VISIT_IMPORT_FINISHED,
        target=job,
        summary=summary,
        data={"status": job.status, "rows": job.rows_total, "error": error, "attempt": attempt},
    )
    return True


def ecm_imports_recover(*, now: datetime) -> list[int]:
    """The beat sweep: the jobs to (re)send to a worker; each is safe to send twice (the claim is conditional)."""
    resend = jobs_to_resend(VisitImportJob, now=now, resend_after=RESEND_AFTER)
    for job_id, attempts in jobs_gone_silent(VisitImportJob, now=now, stale_after=STALE_AFTER):
        if _restart(job_id, attempts, now=now):
            resend.append(job_id)
    return resend


@transaction.atomic
def _restart(job_id: int, attempts: int, *, now: datetime) -> bool:
    job = _this_run(job_id, attempts).filter(heartbeat_at__lt=now - STALE_AFTER).select_for_update().first()
    if job is None:
        return False  # it showed a sign of life, or finished, since the sweep looked
    if job.visit_import_id is not None:
        # The save committed (the link is written in its transaction); only the record of the outcome was lost.
        _finish(job_id, attempts, received=job.visit_import, error="")
        return False
    if attempts >= MAX_ATTEMPTS:
        error = f"The import was interrupted {attempts} times and has been stopped. Nothing was saved."
        _finish(job_id, attempts, received=None, error=error)
        return False
    stopped_in = job.status
    job.status = Status.QUEUED
    job.heartbeat_at = now
    job.save(update_fields=["status", "heartbeat_at"])
    audit_record(
        actor=None,
        action=AuditAction.VISIT_IMPORT_RESTARTED,
        target=job,
        summary=f"{job.file_name}: its worker stopped after {job.rows_checked} rows; starting again from the start",
        data={"attempt": attempts, "rows_checked": job.rows_checked, "stopped_while": stopped_in},
    )
    return True
