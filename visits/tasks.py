"""Beat tasks for visits: thin callers of ``visits.services``."""

from __future__ import annotations

from celery import shared_task

from visits.services.alerts import missed_visit_alerts_raise


@shared_task(name="visits.tasks.raise_missed_visit_alerts", acks_late=True)
def raise_missed_visit_alerts() -> int:
    """Idempotent: each pattern's alert is deduplicated, so a second run raises nothing."""
    return len(missed_visit_alerts_raise())
