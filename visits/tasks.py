"""Beat tasks for visits: thin callers of ``visits.services``."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from visits.services.alerts import missed_visit_alerts_raise
from visits.services.import_jobs import ecm_import_run, ecm_imports_recover
from visits.services.monitoring_weeks import monitoring_weeks_record


@shared_task(name="visits.tasks.raise_missed_visit_alerts", acks_late=True)
def raise_missed_visit_alerts() -> int:
    """Idempotent: each pattern's alert is deduplicated, so a second run raises nothing."""
    return len(missed_visit_alerts_raise())


@shared_task(
    name="visits.tasks.run_visit_import",
    acks_late=True,
    time_limit=60 * 60,  # a file of a million visits takes a minute or two; the default limit suits short tasks
    soft_time_limit=60 * 60 - 60,
)
def run_visit_import(job_id: int) -> bool:
    """Import one uploaded ECM file. Safe to run twice: the job is claimed in the database."""
    return ecm_import_run(job_id=job_id)


@shared_task(name="visits.tasks.recover_visit_imports", acks_late=True)
def recover_visit_imports() -> int:
    """Every minute: send again the ECM imports whose message was lost or whose worker stopped mid-way."""
    job_ids = ecm_imports_recover(now=timezone.now())
    # Fanned out through the routing (config.queues): the sweep is on ``control``, the import is not.
    for job_id in job_ids:
        run_visit_import.delay(job_id)
    return len(job_ids)


@shared_task(name="visits.tasks.record_monitoring_weeks", acks_late=True)
def record_monitoring_weeks() -> int:
    """Nightly: the CCC's monitoring trends for the last weeks. Safe to run twice (an upsert of the same rows)."""
    return monitoring_weeks_record(today=timezone.localdate())
