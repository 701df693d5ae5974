"""A large package CSV uploaded in a real browser, imported by a real worker, followed on its page (htmx)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from brokerage.models import CarePackage
from tests.brokerage.factories import make_market
from tests.brokerage.test_import_jobs import rows_csv
from tests.brokerage.test_import_jobs_celery import workers  # noqa: F401 - the fixture, shared
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.postgres]
ROWS = 800


def test_an_officer_uploads_a_large_file_and_watches_it_import(workers, signed_in_page, settings):  # noqa: F811
    settings.HOMECARE_IMPORT_IN_REQUEST_MAX_ROWS = 50
    market = make_market(providers=1)
    officer: Page = signed_in_page("officer")
    with workers():
        officer.goto("/commissioning/packages/import/")
        upload = FilePayload(name="legacy.csv", mimeType="text/csv", buffer=rows_csv(market, ROWS).encode())
        officer.set_input_files("#id_file", files=[upload])
        officer.get_by_role("button", name="Check and import").click()
        expect(officer.get_by_role("heading", name="legacy.csv")).to_be_visible()
        # htmx brings the progress in without a reload.
        expect(officer.get_by_text(re.compile(rf"Checked [\d,]+ of {ROWS} rows"))).to_be_visible(timeout=60_000)
        assert_no_serious_accessibility_violations(officer)
        save_screenshot(officer, "brokerage-import-job-progress")
        expect(officer.get_by_role("heading", name=f"Imported {ROWS} packages")).to_be_visible(timeout=180_000)
    assert CarePackage.objects.count() == ROWS
    assert_no_serious_accessibility_violations(officer)
    save_screenshot(officer, "brokerage-import-job-done")
    officer.get_by_role("link", name="See the packages").click()
    expect(officer.get_by_role("heading", name="Packages")).to_be_visible()
