"""The shared layout: the health page, and the service navigation on a narrow screen."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from health_check.checks import Database
from playwright.sync_api import Page, expect

from homecare.health import Broker, HealthView, Worker
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot
from tests.foundation.celery_worker import client_app
from tests.foundation.redis_server import redis_server


@pytest.fixture
def _no_worker_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The health checks ask a broker no worker reads: on a shared Redis, another test process's worker would answer.

    The embedded broker is this process's own files, so it is used as it is.
    """
    worker_timeout = {"timeout": datetime.timedelta(seconds=1)}
    if not os.environ.get("REDIS_URL"):
        monkeypatch.setattr(HealthView, "checks", (Database, Broker, (Worker, worker_timeout)))
        yield
        return
    with redis_server(log_dir=tmp_path) as redis:
        app = client_app(broker=redis.url, backend=redis.url, queue="default")
        monkeypatch.setattr(
            HealthView, "checks", (Database, (Broker, {"app": app}), (Worker, {**worker_timeout, "app": app}))
        )
        yield


@pytest.mark.usefixtures("_no_worker_answers")
def test_the_health_page_reads_well_and_is_accessible(page: Page):
    response = page.goto("/health/")
    assert response is not None and response.status == 503  # no worker reads the broker the checks ask
    expect(page.locator("h1")).to_have_text("Service health")
    expect(page.locator(".govuk-summary-list__key")).to_have_text(["Database", "Message broker", "Celery worker"])
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "health")


def test_on_a_phone_the_menu_collapses_behind_a_button(signed_in_page):
    page = signed_in_page("officer")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/commissioning/")
    menu = page.get_by_role("button", name="Menu")
    nav_list = page.locator("#navigation")
    # Officers have several areas, so GOV.UK's service navigation folds them behind "Menu" on a phone.
    assert page.locator("#navigation li").count() >= 2
    expect(menu).to_be_visible()
    expect(nav_list).to_be_hidden()
    menu.click()
    expect(nav_list).to_be_visible()
    save_screenshot(page, "commissioning-phone-menu-open")
    assert_no_serious_accessibility_violations(page)
