"""The provider's upload of actual visits, its statement and a dispute, and the officer's pay-run page, in Chromium
with axe: a malformed file shows its errors by row, a good one is imported, the pay run is computed and approved,
the provider disputes the missed visit and the officer upholds it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot
from tests.factories import sign_in_fully
from tests.visits.fixtures import ecm_csv, make_pay_world
from tests.visits.test_pay_run_by_hand import actuals_csv
from visits.models import ActualVisit, CreditNote, PayRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(page: Page, user: User, live_server: Any) -> Page:
    page.context.clear_cookies()
    cookie = sign_in_fully(Client(), user).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def test_actuals_to_a_disputed_statement(page: Page, live_server: Any, officer: User) -> None:
    world = make_pay_world(officer)

    provider = _as(page, world.provider_user, live_server)
    provider.goto("/portal/visits/")
    expect(provider.get_by_role("heading", name="Upload actual visits", level=1)).to_be_visible()
    bad = ecm_csv([["V1", world.a.reference, "", "yesterday", "", "1", "", "app", ""]])
    provider.set_input_files("#id_file", files=[FilePayload(name="bad.csv", mimeType="text/csv", buffer=bad.encode())])
    provider.get_by_role("button", name="Check and import").click()
    expect(provider.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(provider.get_by_role("table", name="Errors by row")).to_contain_text("not a date and time")
    assert_no_serious_accessibility_violations(provider)
    save_screenshot(provider, "visits-upload-errors")
    good = actuals_csv(world).encode()
    provider.set_input_files("#id_file", files=[FilePayload(name="march.csv", mimeType="text/csv", buffer=good)])
    provider.get_by_role("button", name="Check and import").click()
    expect(provider.get_by_text("24 new")).to_be_visible()
    assert ActualVisit.objects.count() == 24
    assert_no_serious_accessibility_violations(provider)
    save_screenshot(provider, "visits-upload-done")

    officer_page = _as(page, officer, live_server)
    officer_page.goto("/commissioning/payments/")
    officer_page.get_by_label("Agreement").select_option(str(world.market.agreement.pk))
    officer_page.get_by_label("Provider").select_option(str(world.provider.pk))
    officer_page.get_by_label("Day").fill("2")
    officer_page.get_by_label("Month").fill("3")
    officer_page.get_by_label("Year").fill("2026")
    officer_page.get_by_role("button", name="Compute pay run").click()
    expect(officer_page.get_by_role("heading", level=1)).to_contain_text("Pay run PR-")
    expect(officer_page.get_by_text("Agrees to the penny")).to_be_visible()
    expect(officer_page.get_by_text("£535.67").first).to_be_visible()
    assert_no_serious_accessibility_violations(officer_page)
    save_screenshot(officer_page, "visits-officer-pay-run")
    officer_page.get_by_role("button", name="Approve and send the statement").click()
    expect(officer_page.get_by_text("is approved")).to_be_visible()
    run = PayRun.objects.get()

    provider = _as(page, world.provider_user, live_server)
    provider.goto(f"/portal/visits/statements/{run.pk}/")
    expect(provider.get_by_role("heading", name=f"Statement {run.reference}")).to_be_visible()
    assert_no_serious_accessibility_violations(provider)
    save_screenshot(provider, "visits-statement")
    provider.get_by_role("link", name=f"Dispute {world.a.reference} on 3 Mar").click()
    provider.get_by_label("Why is this line wrong?").fill("The carer visited; the phone had no signal.")
    provider.get_by_label("What should this line pay, in pounds?").fill("20.00")
    assert_no_serious_accessibility_violations(provider)
    save_screenshot(provider, "visits-dispute")
    provider.get_by_role("button", name="Raise dispute").click()
    expect(provider.get_by_text("Your dispute has been sent")).to_be_visible()

    officer_page = _as(page, officer, live_server)
    officer_page.goto("/commissioning/payments/")
    officer_page.get_by_role("link", name=f"{world.a.reference} on 3 Mar 2026").click()
    officer_page.get_by_label("Uphold: issue a credit note for the difference").check()
    officer_page.get_by_label("What was decided, and why").fill("Rota and care notes confirm the visit.")
    assert_no_serious_accessibility_violations(officer_page)
    save_screenshot(officer_page, "visits-dispute-resolve")
    officer_page.get_by_role("button", name="Resolve dispute").click()
    expect(officer_page.get_by_text("£555.67")).to_be_visible()
    assert CreditNote.objects.get().amount == 20


def test_a_large_upload_shows_a_progress_bar_that_turns_into_the_result(
    page: Page, live_server: Any, officer: User, settings: Any
) -> None:
    """Above the threshold the upload becomes a job; its page polls (htmx) and shows the outcome when it ends.
    The job is run here by the worker's own function (``ecm_import_run``); the real worker is in
    tests/visits/test_import_jobs_celery.py."""
    from visits.models import VisitImportJob
    from visits.services.import_jobs import ecm_import_run

    settings.HOMECARE_ECM_IN_REQUEST_MAX_ROWS = 5
    world = make_pay_world(officer)
    provider = _as(page, world.provider_user, live_server)
    provider.goto("/portal/visits/")
    good = actuals_csv(world).encode()
    provider.set_input_files("#id_file", files=[FilePayload(name="march.csv", mimeType="text/csv", buffer=good)])
    provider.get_by_role("button", name="Check and import").click()
    expect(provider.get_by_role("heading", name="march.csv", level=1)).to_be_visible()
    bar = provider.locator("progress#import-progress-bar")
    expect(bar).to_have_attribute("value", "0")
    expect(provider.get_by_text("Waiting for the import to start")).to_be_visible()
    assert_no_serious_accessibility_violations(provider)
    save_screenshot(provider, "visits-import-job-waiting")
    assert ecm_import_run(job_id=VisitImportJob.objects.get().pk) is True
    expect(provider.get_by_role("heading", name="24 visits checked")).to_be_visible(timeout=15_000)
    assert ActualVisit.objects.count() == 24
    assert_no_serious_accessibility_violations(provider)
    save_screenshot(provider, "visits-import-job-done")
