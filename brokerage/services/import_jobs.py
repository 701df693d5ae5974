"""Package CSV files too big for one web request: a job in the database, run by a worker, followed on a page.

1. ``package_import_queue`` (the upload page) saves the decoded file as a ``PackageImportJob`` (queued) and
   enqueues ``brokerage.tasks.run_package_import`` after commit.
2. ``package_import_run`` (that task) claims the job with a conditional update (queued -> checking: a second
   run finds nothing to claim), checks every row with the import's own checks, writing progress every
   ``PROGRESS_EVERY`` rows in short transactions of its own, then saves all rows or none (``packages_enter``,
   one transaction, whose progress a thread publishes through its own connection) and records the report.
3. ``package_imports_recover`` (the beat sweep, every minute) finds jobs whose message was lost and jobs whose
   worker stopped: no sign of life for ``STALE_AFTER`` (five minutes; a running job writes one every few
   seconds at most). The save is all or nothing, so an interrupted job is simply run again from the start;
   after ``MAX_ATTEMPTS`` starts it is failed instead, so a file that kills its worker cannot loop forever.
   A job whose save had committed when its worker stopped is finished as imported instead.

Every write of a run is conditional on the run's attempt number, so a run the sweep has replaced cannot
overwrite the newer run's progress or outcome.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict
from datetime import datetime, timedelta
from types import TracebackType

from django.contrib.auth.models import User
from django.db import DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from brokerage.models import PackageImportJob
from brokerage.services.imports import ImportReport, csv_row_count, package_import_check, package_import_save
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.background_jobs import job_claim, job_this_run, jobs_gone_silent, jobs_to_resend
from homecare.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

RUN_PACKAGE_IMPORT_TASK = "brokerage.tasks.run_package_import"
Status = PackageImportJob.Status
PROGRESS_EVERY = 100  # rows between progress writes while checking (a few hundred milliseconds of work)
SAVING_HEARTBEAT_SECONDS = 2.0  # how often the save's progress is published while its transaction runs
RESEND_AFTER = timedelta(minutes=1)  # a job still queued this long may have lost its message
STALE_AFTER = timedelta(minutes=5)  # a running job silent this long has lost its worker
MAX_ATTEMPTS = 3


class _Superseded(Exception):
    """The sweep restarted this job (this run was taken for dead): the newer run carries on, this one stops."""


@transaction.atomic
def package_import_queue(*, text: str, file_name: str, uploaded_by: User) -> PackageImportJob:
    """Keep the decoded file as a job and have a worker import it; the officer follows it on its page."""
    now = timezone.now()
    job = PackageImportJob.objects.create(
        uploaded_by=uploaded_by,
        uploaded_at=now,
        heartbeat_at=now,
        file_name=file_name[:255],
        text=text,
        rows_total=csv_row_count(text),
    )
    audit_record(
        actor=uploaded_by,
        action=AuditAction.PACKAGE_IMPORT_QUEUED,
        target=job,
        summary=f"{job.file_name}: {job.rows_total} rows queued for import",
    )
    enqueue_on_commit(RUN_PACKAGE_IMPORT_TASK, job.pk)
    return job


def package_import_run(*, job_id: int) -> bool:
    """Run one queued job to its end; False when there was nothing to claim (already run, or running).

    Not one transaction but several short ones, so its page can follow it:
    1. Claim: queued -> checking, counting the attempt. Nothing claimed, nothing done.
    2. Check every row (``package_import_check``), writing how many are checked every ``PROGRESS_EVERY``.
    3. A file with errors: record the report, nothing saved. A clean file: checking -> saving, then every row
       in one transaction (``package_import_save``); its rules are checked again there, and any failure is
       reported by row with nothing saved.
    4. Record the outcome and the report, and forget the file's text (the packages hold it now).
    An unexpected error fails the job, saying so, and is raised again for the worker's log.
    """
    attempt = job_claim(
        PackageImportJob, job_id, status=Status.CHECKING, now=timezone.now(), rows_checked=0, rows_saved=0
    )
    if not attempt:
        return False
    job = PackageImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    try:
        report = _check_and_save(job, attempt)
    except _Superseded:
        logger.warning("Package import job %s attempt %s was restarted by the sweep; this run stops", job_id, attempt)
        return False
    except Exception as error:
        _finish(job_id, attempt, report=None, error=f"The import stopped unexpectedly ({type(error).__name__}).")
        raise
    return _finish(job_id, attempt, report=report, error="")


def _this_run(job_id: int, attempt: int) -> QuerySet[PackageImportJob]:
    return job_this_run(PackageImportJob, job_id, attempt)


def _check_and_save(job: PackageImportJob, attempt: int) -> ImportReport:
    def checked_so_far(count: int) -> None:
        if count % PROGRESS_EVERY:
            return
        if not _this_run(job.pk, attempt).update(rows_checked=count, heartbeat_at=timezone.now()):
            raise _Superseded

    checked = package_import_check(text=job.text, progress=checked_so_far)
    rows = len(checked.rows)
    if not checked.report.ok:
        return checked.report
    saving = _this_run(job.pk, attempt).filter(status=Status.CHECKING)
    if not saving.update(status=Status.SAVING, rows_checked=rows, rows_total=rows, heartbeat_at=timezone.now()):
        raise _Superseded
    with _SavingProgress(job_id=job.pk, attempt=attempt) as progress:

        def entered(count: int) -> None:
            progress.entered(count)
            if count == rows:
                # Written in the save's own transaction, so committed with the packages or not at all: a worker
                # lost just after the commit leaves the job recognisably saved, and the sweep finishes it.
                _this_run(job.pk, attempt).update(saved=count)

        return package_import_save(checked, imported_by=job.uploaded_by, on_entered=entered)


@transaction.atomic
def _finish(job_id: int, attempt: int, *, report: ImportReport | None, error: str) -> bool:
    job = _this_run(job_id, attempt).select_for_update().first()
    if job is None:
        return False  # the sweep replaced this run; the newer one records the outcome
    now = timezone.now()
    saved = report.saved if report is not None else 0
    job.status = Status.DONE if report is not None and report.ok and saved else Status.FAILED
    job.saved = saved
    job.error = error
    if report is not None:
        if report.rows:  # none when the sweep finishes a job whose save committed: its counts stand
            job.rows_total = job.rows_checked = len(report.rows)
        job.report = {
            "file_errors": report.file_errors,
            "failed_rows": [asdict(row) for row in report.failed_rows],
        }
    job.text = ""  # the packages, or the officer's own file, hold it now
    job.finished_at = job.heartbeat_at = now
    job.save(
        update_fields=[
            "status", "saved", "error", "rows_total", "rows_checked", "report", "text", "finished_at", "heartbeat_at",
        ]
    )  # fmt: skip
    failed = len(job.failed_rows)
    summary = (
        f"{job.file_name}: {saved} packages imported"
        if job.status == Status.DONE
        else f"{job.file_name}: nothing imported ({error or f'{failed} rows with errors'})"
    )
    audit_record(
        actor=job.uploaded_by,
        action=AuditAction.PACKAGE_IMPORT_FINISHED,
        target=job,
        summary=summary,
        data={"status": job.status, "saved": saved, "rows_with_errors": failed, "error": error, "attempt": attempt},
    )
    return True


class _SavingProgress:
    """Publish how far the save has got while its one transaction runs, through this thread's own connection.

    The save's own connection cannot: nothing it writes is seen until it commits. These writes are also the
    job's sign of life, so the sweep leaves a long save alone.
    """

    def __init__(self, *, job_id: int, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._publish, name=f"package-import-{job_id}", daemon=True)

    def entered(self, count: int) -> None:
        self.count = count

    def __enter__(self) -> _SavingProgress:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _publish(self) -> None:
        try:
            while not self._stop.wait(SAVING_HEARTBEAT_SECONDS):
                try:
                    _this_run(self.job_id, self.attempt).update(rows_saved=self.count, heartbeat_at=timezone.now())
                except DatabaseError:
                    # Only the progress shown is late; the save goes on, and the next beat tries again.
                    logger.exception("Could not record the progress of package import job %s", self.job_id)
        finally:
            connections.close_all()  # this thread's connections only


def package_imports_recover(*, now: datetime) -> list[int]:
    """The beat sweep: the jobs to (re)send to a worker. Each is safe to send twice (the claim is conditional).

    1. Queued for over ``RESEND_AFTER``: its message may be lost; sent again (at most once per interval).
    2. Running, silent for over ``STALE_AFTER``: its worker stopped. Back to queued, audited, and sent again;
       it starts from the first row. One that has been started ``MAX_ATTEMPTS`` times is failed instead.
    """
    resend = jobs_to_resend(PackageImportJob, now=now, resend_after=RESEND_AFTER)
    for job_id, attempts in jobs_gone_silent(PackageImportJob, now=now, stale_after=STALE_AFTER):
        if _restart(job_id, attempts, now=now):
            resend.append(job_id)
    return resend


@transaction.atomic
def _restart(job_id: int, attempts: int, *, now: datetime) -> bool:
    job = _this_run(job_id, attempts).filter(heartbeat_at__lt=now - STALE_AFTER).select_for_update().first()
    if job is None:
        return False  # it showed a sign of life, or finished, since the sweep looked
    if attempts >= MAX_ATTEMPTS:
        error = f"The import was interrupted {attempts} times and has been stopped. Nothing was saved."
        _finish(job_id, attempts, report=None, error=error)
        return False
    if job.status == Status.SAVING and job.saved:
        # The save committed (``saved`` is written in its transaction) and only the record of it was lost.
        _finish(job_id, attempts, report=ImportReport(rows=[], saved=job.saved), error="")
        return False
    stopped_in = job.status
    job.status = Status.QUEUED
    job.heartbeat_at = now
    job.save(update_fields=["status", "heartbeat_at"])
    audit_record(
        actor=None,
        action=AuditAction.PACKAGE_IMPORT_RESTARTED,
        target=job,
        summary=f"{job.file_name}: its worker stopped after {job.rows_checked} rows; starting again from the start",
        data={"attempt": attempts, "rows_checked": job.rows_checked, "stopped_while": stopped_in},
    )
    return True
