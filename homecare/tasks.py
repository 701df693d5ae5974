"""Tasks of the platform itself (not of one capability): the worker liveness probe."""

from __future__ import annotations

from celery import shared_task

PONG = "pong"


@shared_task(name="homecare.ping", ignore_result=False, acks_late=False)
def ping() -> str:
    """Answer the health check's probe. Touches nothing, so running it twice is harmless."""
    return PONG
