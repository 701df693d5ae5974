"""Background work for providers: the daily CQC change sync. Thin: the service does the work."""

from __future__ import annotations

import logging

from celery import shared_task

from providers.cqc_client import CqcApiClient, CqcApiError
from providers.cqc_import import CqcSyncInProgress, cqc_sync_changes

logger = logging.getLogger(__name__)

# Reading a busy day's changes politely (5 requests a second) can take a while.
SYNC_TIME_LIMIT = 2 * 60 * 60


@shared_task(
    name="providers.cqc_daily_sync",
    autoretry_for=(CqcApiError,),
    retry_backoff=300,
    max_retries=3,
    acks_late=True,
    soft_time_limit=SYNC_TIME_LIMIT - 60,
    time_limit=SYNC_TIME_LIMIT,
)
def cqc_daily_sync() -> int | None:
    """Import CQC's changes since the last good sync; returns the run's id.

    Idempotent: the window starts where the last successful run ended, and re-importing an unchanged
    location writes nothing. If another sync is still running, this one does nothing (returns None):
    the running one covers the same window.
    """
    try:
        run = cqc_sync_changes(client=CqcApiClient())
    except CqcSyncInProgress:
        logger.info("CQC daily sync skipped: another CQC sync is still running.")
        return None
    return run.pk
