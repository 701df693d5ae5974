"""/health/ reports the database, the broker and the worker, for people and for monitors."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


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
