"""Celery tasks for DPS rounds: thin callers of the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from dps.services import rounds_sync


@shared_task(name="dps.rounds_sync", acks_late=True)
def dps_rounds_sync() -> dict[str, int]:
    """Open the rounds whose time has come and close those that have ended (beat runs this every minute)."""
    opened, closed = rounds_sync()
    return {"opened": opened, "closed": closed}
