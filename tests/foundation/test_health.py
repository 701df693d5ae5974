"""/health/ reports the database, the broker and the worker, for people and for monitors."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from health_check.checks import Database

from homecare.health import Broker, HealthView, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_worker_timeout(monkeypatch):
    """No worker runs in these tests; wait one second for it, not the production four."""
    monkeypatch.setattr(HealthView, "checks", (Database, Broker, (Worker, {"timeout": datetime.timedelta(seconds=1)})))


def test_health_json_reports_each_dependency_and_fails_without_a_worker() -> None:
    # No worker runs during this test, so the service is rightly reported as unavailable.
    response = Client().get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["checks"]) == {"database", "broker", "worker"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["broker"]["detail"].startswith("OK, ")
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["detail"].startswith("Unavailable:")


def test_health_page_for_people_uses_the_service_layout_and_needs_no_sign_in() -> None:
    response = Client().get("/health/", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 500
    assert html.count("<h1") == 1
    assert "Service health" in html
    assert "Celery worker" in html and "Unavailable" in html
    assert 'href="?format=json"' in html


def test_the_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-frontend.min.css" in html
