"""The correlation id: one value that follows a request through its log lines, its background tasks and the
events it causes, so an integrator and the council can trace one action end to end.

Read from the caller's ``X-Correlation-ID`` (when it is a sensible token) or made up, answered in the same
header, put in every log record (``%(correlation_id)s``), carried to Celery tasks in the message headers
(``homecare.queue``) and sent with every webhook.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Correlation-ID"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")  # never log or echo what a caller made up beyond this

_current: ContextVar[str] = ContextVar("homecare_correlation_id", default="")


def correlation_id() -> str:
    return _current.get()


def correlation_id_set(value: str) -> Token[str]:
    return _current.set(value)


def correlation_id_reset(token: Token[str]) -> None:
    _current.reset(token)


def accepted_or_new(value: str | None) -> str:
    """The caller's id if it is a plain token of up to 100 characters, else a new one."""
    if value and _ACCEPTABLE.match(value):
        return value
    return uuid.uuid4().hex


class CorrelationIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = correlation_id_set(accepted_or_new(request.headers.get(HEADER)))
        try:
            response = self.get_response(request)
            response[HEADER] = correlation_id()
            return response
        finally:
            correlation_id_reset(token)


class CorrelationIdFilter(logging.Filter):
    """Adds ``correlation_id`` to every log record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id() or "-"
        return True


def connect_celery() -> None:
    """Carry the id from whoever enqueues a task to the task (and what it enqueues in turn)."""
    from celery.signals import before_task_publish, task_postrun, task_prerun

    tokens: dict[str, Token[str]] = {}
    # Not "correlation_id": Celery's own request has that name (the task id).
    carried_as = "homecare_correlation_id"

    @before_task_publish.connect(weak=False)
    def _add_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
        if headers is not None and correlation_id() and carried_as not in headers:
            headers[carried_as] = correlation_id()

    @task_prerun.connect(weak=False)
    def _take_header(task_id: str = "", task: Any = None, **_: Any) -> None:
        carried = getattr(task.request, carried_as, None) if task is not None else None
        tokens[task_id] = correlation_id_set(accepted_or_new(carried if isinstance(carried, str) else None))

    @task_postrun.connect(weak=False)
    def _drop(task_id: str = "", **_: Any) -> None:
        token = tokens.pop(task_id, None)
        if token is not None:
            correlation_id_reset(token)
