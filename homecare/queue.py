"""The one door for background work: services enqueue Celery tasks by name, after their transaction commits.

Services never import a ``tasks`` module (only tasks import services), so there is no import circle and a
service reads the same whether or not a worker exists. Three rules hold for everything enqueued here:

1. Nothing is sent until the surrounding transaction commits; a rolled-back write enqueues nothing.
2. A failure to send (the broker down, slow or refusing) is logged and never raised into the caller: the
   write has been saved, and every queued job has a beat sweep that finds its work from database state.
3. One switch, :func:`enqueue_suspended`, turns enqueueing off: the demo's simulated history (which runs the
   work itself) and tests that drive the services directly use it. There is no other switch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

_suspended: ContextVar[bool] = ContextVar("homecare_enqueue_suspended", default=False)


@contextmanager
def enqueue_suspended() -> Iterator[None]:
    """Within this block nothing is enqueued (the caller does the work itself, or the sweeps will)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def enqueue_on_commit(task_name: str, *ids: int, countdown: float | None = None) -> None:
    """Send the task ``task_name`` with ``ids`` once the current transaction commits (at once outside one).

    ``countdown``: the worker runs it no sooner than that many seconds after (e.g. to gather a batch).
    """
    if _suspended.get():
        return
    transaction.on_commit(lambda: send_now(task_name, *ids, countdown=countdown))


def send_now(task_name: str, *ids: int, countdown: float | None = None) -> bool:
    """Send the task at once; True when the broker took it. A failure is logged, never raised."""
    app = current_app
    try:
        if app.conf.task_always_eager:
            # Debugging mode: run in this process, through the registered task, as Celery's own delay() would.
            app.loader.import_default_modules()
            app.tasks[task_name].apply(args=ids)
        else:
            # The caller never waits on the result, so none is kept: sending then needs the broker alone,
            # not the result store too (which, when down, would hold the request for its own retries).
            app.send_task(task_name, args=ids, ignore_result=True, countdown=countdown)
    except Exception:
        # Deliberately broad: the broker's failures come from several libraries (kombu, redis, sqlalchemy).
        # The write is saved already and its sweep will find the work, so the caller must not fail.
        logger.exception(
            "Could not enqueue %s%r; the beat sweep will pick the work up from the database", task_name, ids
        )
        return False
    return True
