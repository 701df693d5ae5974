"""Background work for providers: the daily CQC change sync. Thin: the service does the work."""

from __future__ import annotations

from celery import shared_task

from providers.cqc_client import CqcApiClient, CqcApiError
from providers.cqc_import import cqc_sync_changes

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
def cqc_daily_sync() -> int:
    """Import CQC's changes since the last good sync. Idempotent: the window starts where the last
    successful run ended, and re-importing an unchanged location writes nothing."""
    run = cqc_sync_changes(client=CqcApiClient())
    return run.pk
