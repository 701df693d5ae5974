"""What every file-import job shares: claim it once, tell its own run's writes apart, find the lost ones.

A job model has ``status`` (``Status.QUEUED`` and the statuses in ``RUNNING``), ``attempts`` and
``heartbeat_at`` (``brokerage.PackageImportJob``, ``visits.VisitImportJob``). The rules are the ones the
package import set out (``brokerage.services.import_jobs``): a conditional update claims a job, so a message
delivered twice runs it once; every write of a run names the run's attempt, so a run the sweep has replaced
cannot overwrite its successor; a job queued without sign of life may have lost its message, and a running one
silent for longer than a run ever is has lost its worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Model, QuerySet


def job_claim(model: type[Model], job_id: int, *, status: str, now: datetime, **reset: Any) -> int:
    """queued -> ``status``, counting the attempt; the attempt number, or 0 when nothing was claimed."""
    claimed = model._default_manager.filter(pk=job_id, status=model.Status.QUEUED).update(  # type: ignore[attr-defined]
        status=status, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, **reset
    )
    if not claimed:
        return 0
    attempts: int = model._default_manager.filter(pk=job_id).values_list("attempts", flat=True).get()
    return attempts


def job_this_run(model: type[Model], job_id: int, attempt: int) -> QuerySet[Any]:
    """The job's row, only while this run (this attempt) still owns it."""
    return model._default_manager.filter(pk=job_id, attempts=attempt, status__in=model.RUNNING)  # type: ignore[attr-defined]


def jobs_to_resend(model: type[Model], *, now: datetime, resend_after: timedelta) -> list[int]:
    """Queued for longer than ``resend_after``: their message may be lost. Marked, so each is resent once a while."""
    queued = model.Status.QUEUED  # type: ignore[attr-defined]
    resend = list(
        model._default_manager.filter(status=queued, heartbeat_at__lt=now - resend_after).values_list("pk", flat=True)
    )
    model._default_manager.filter(pk__in=resend, status=queued).update(heartbeat_at=now)
    return resend


def jobs_gone_silent(model: type[Model], *, now: datetime, stale_after: timedelta) -> list[tuple[int, int]]:
    """(id, attempt) of running jobs with no sign of life for ``stale_after``: their worker stopped."""
    return list(
        model._default_manager.filter(
            status__in=model.RUNNING,  # type: ignore[attr-defined]
            heartbeat_at__lt=now - stale_after,
        ).values_list("pk", "attempts")
    )
