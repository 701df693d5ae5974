"""/health/: is the database up, can the broker carry messages, is a Celery worker answering?

Built on django-health-check 4.x: each check is a dataclass with ``run()`` that raises
``ServiceUnavailable``; the view runs them concurrently. We add two checks of our own:

* ``Broker`` declares the default task queue on whatever broker is configured (Redis, or the
  embedded SQLAlchemy broker) and reads how many tasks are waiting: a real round trip.
* ``Worker`` asks the workers to answer. Redis can broadcast, so it uses Celery's control ping
  (answered even while a worker is busy). kombu's SQLAlchemy transport cannot broadcast
  (no fanout exchange), so on the embedded broker it sends the ``homecare.ping`` task and waits
  for the answer instead.

Browsers get a GOV.UK page; monitors get JSON (``Accept: application/json`` or ``?format=json``),
with HTTP 503 Service Unavailable when anything is down, so a load balancer or Docker healthcheck
can act on it (django-health-check itself answers 500, which reads as a bug in the health page).

The checks use the process's Celery app (``config.celery``, made current when the settings load)
through ``celery.current_app``, so the platform never imports the project package.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from http import HTTPStatus
from typing import Any

from celery import Celery, current_app
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from health_check.base import HealthCheck, HealthCheckResult
from health_check.checks import Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Queue
from kombu.exceptions import OperationalError


def broker_can_broadcast(app: Celery) -> bool:
    """True when the broker's transport has a fanout exchange, which Celery's control ping needs."""
    with app.connection_for_read() as connection:
        return "fanout" in connection.transport.implements.exchange_type


def broker_errors(app: Celery) -> tuple[type[BaseException], ...]:
    """What the broker's client library raises when the broker is unreachable (e.g. redis' ConnectionError)."""
    with app.connection_for_read() as connection:
        return (OperationalError, *connection.connection_errors, *connection.channel_errors)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The message broker accepts a connection and reports the depth of the default queue."""

    app: Celery = dataclasses.field(default=current_app, repr=False)
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)
    waiting: int | None = dataclasses.field(default=None, init=False, repr=False)

    def run(self) -> None:
        queue = self.app.conf.task_default_queue
        errors = broker_errors(self.app)
        with self.app.connection_for_read() as connection:
            try:
                connection.ensure_connection(max_retries=1, timeout=math.ceil(self.timeout.total_seconds()))
                # kombu's stubs type this as str; at run time it is (queue, message_count, consumer_count).
                declared: Any = Queue(queue).bind(connection.default_channel).queue_declare()
            except errors as exc:
                raise ServiceUnavailable(f"Cannot reach the broker ({type(exc).__name__})") from exc
        self.waiting = int(declared.message_count)

    def pretty_status(self) -> str:
        return "OK" if self.waiting is None else f"OK, {self.waiting} task(s) waiting"


@dataclasses.dataclass
class Worker(HealthCheck):
    """At least one Celery worker answers (control ping on Redis, a ping task on the embedded broker)."""

    app: Celery = dataclasses.field(default=current_app, repr=False)
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=4), repr=False)

    def run(self) -> None:
        if broker_can_broadcast(self.app):
            try:
                Ping(app=self.app, timeout=datetime.timedelta(seconds=1)).run()
            except broker_errors(self.app) as exc:  # not OSErrors: Ping itself would call them "unknown"
                raise ServiceUnavailable(f"Cannot reach the broker ({type(exc).__name__})") from exc
            return
        seconds = self.timeout.total_seconds()
        try:
            # Expires so that probes sent while no worker runs are dropped, not replayed later.
            result = self.app.send_task("homecare.ping", expires=seconds)
            answer = result.get(timeout=seconds, propagate=True)
        except CeleryTimeoutError as exc:
            unit = "second" if seconds == 1 else "seconds"
            raise ServiceUnavailable(f"No worker answered within {seconds:g} {unit}") from exc
        except (OperationalError, OSError) as exc:
            raise ServiceUnavailable(f"Cannot reach the broker ({type(exc).__name__})") from exc
        if answer != "pong":
            raise ServiceUnavailable("A worker answered the ping with something other than pong")


LABELS: dict[type[HealthCheck], str] = {Database: "Database", Broker: "Message broker", Worker: "Celery worker"}


def _label(check: HealthCheck) -> str:
    return LABELS.get(type(check), type(check).__name__)


class HealthView(HealthCheckView):
    template_name = "health/index.html"
    checks = (Database, Broker, Worker)

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = await super().get(request, *args, **kwargs)
        # django-health-check answers 500 when a check failed (its feeds stay 200, for feed readers).
        # Part of the service is down, not broken: 503, which monitors and load balancers expect.
        if response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR and any(r.error for r in self.results):
            response.status_code = HTTPStatus.SERVICE_UNAVAILABLE
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["rows"] = rows = [_row(result) for result in self.results]
        # Named in the warning at the top, so nobody has to scan the list to see what is down.
        context["unavailable"] = ", ".join(row["name"] for row in rows if not row["ok"])
        return context

    def render_to_response_json(self, status: int) -> JsonResponse:
        rows = [_row(result) for result in self.results]
        return JsonResponse(
            {
                "status": "unavailable" if status >= 500 else "ok",
                "unavailable": [row["key"] for row in rows if not row["ok"]],
                "checks": {row["key"]: row for row in rows},
            },
            status=status,
        )


def _row(result: HealthCheckResult) -> dict[str, Any]:
    check = result.check
    return {
        "key": type(check).__name__.lower(),
        "name": _label(check),
        "ok": result.error is None,
        "detail": check.pretty_status() if result.error is None else str(result.error),
        "seconds": round(result.time_taken, 3),
    }


health = HealthView.as_view()
