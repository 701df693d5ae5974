"""/health/ reports the database, the broker and the worker, for people and for monitors."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
from django.test import Client
from health_check.checks import Database

from homecare.health import Broker, HealthView, Worker
from tests.foundation.celery_worker import celery_worker, client_app
from tests.foundation.redis_server import redis_server

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_worker_timeout(monkeypatch):
    """No worker runs in these tests; wait one second for it, not the production four."""
    monkeypatch.setattr(HealthView, "checks", (Database, Broker, (Worker, {"timeout": datetime.timedelta(seconds=1)})))


def test_health_json_reports_each_dependency_and_fails_without_a_worker() -> None:
    # No worker runs during this test, so the service is rightly reported as unavailable.
    response = Client().get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["unavailable"] == ["worker"]
    assert set(body["checks"]) == {"database", "broker", "worker"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["broker"]["detail"].startswith("OK, ")
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["detail"].startswith("Unavailable:")


def test_health_page_for_people_uses_the_service_layout_and_needs_no_sign_in() -> None:
    response = Client().get("/health/", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 503
    assert html.count("<h1") == 1
    assert "Unavailable: Celery worker." in html
    assert "Service health" in html
    assert "Celery worker" in html and "Unavailable" in html
    assert 'href="?format=json"' in html


@pytest.mark.celery_worker
def test_health_answers_200_while_everything_is_up_and_503_naming_the_broker_once_redis_stops(
    monkeypatch, tmp_path: Path
) -> None:
    """A real outage: a Redis of the test's own (never the shared one), a real worker, then Redis stops."""
    with (
        redis_server(log_dir=tmp_path) as redis,
        celery_worker(env={"REDIS_URL": redis.url}, log_dir=tmp_path) as worker,
    ):
        app = client_app(broker=redis.url, backend=redis.url, queue=worker.queue)
        monkeypatch.setattr(HealthView, "checks", (Database, (Broker, {"app": app}), (Worker, {"app": app})))
        assert worker.wait_for(app.send_task("homecare.ping")) == "pong"

        up = Client().get("/health/?format=json")
        assert up.status_code == 200, up.content
        assert up.json()["status"] == "ok" and up.json()["unavailable"] == []
        assert Client().get("/health/", HTTP_ACCEPT="text/html").status_code == 200

        redis.stop()
        started = time.monotonic()
        down = Client().get("/health/", HTTP_ACCEPT="application/json")
        json_seconds = time.monotonic() - started
        started = time.monotonic()
        page = Client().get("/health/", HTTP_ACCEPT="text/html")
        page_seconds = time.monotonic() - started

    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable"
    assert "broker" in body["unavailable"] and "database" not in body["unavailable"]
    assert body["checks"]["broker"]["detail"].startswith("Unavailable: Cannot reach the broker")
    assert body["checks"]["worker"]["detail"].startswith("Unavailable: Cannot reach the broker")
    assert json_seconds < 5, f"/health/ took {json_seconds:.1f} s to report the outage"

    assert page.status_code == 503
    html = page.content.decode()
    assert "Unavailable: Message broker" in html
    assert page_seconds < 5, f"the health page took {page_seconds:.1f} s to report the outage"


def test_the_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-frontend.min.css" in html
