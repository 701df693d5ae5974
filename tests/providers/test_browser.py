"""Provider pages in a real browser (Chromium via Playwright): they work and pass axe-core's serious checks."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from providers.cqc_import import cqc_records_import
from providers.cqc_records import RatingRecord
from providers.models import Ward
from providers.quality import Rating
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot
from tests.providers.factories import WardFactory, location_record, ratings, square_geojson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def small_council(settings, tmp_path):
    path = tmp_path / "council.geojson"
    path.write_text(square_geojson(-1.60, 53.78, -1.50, 53.82), encoding="utf-8")
    settings.HOMECARE_BOUNDARY_FILE = path


def test_an_officer_filters_providers_and_reads_a_rating_history(signed_in_page):
    WardFactory(name="City and Hunslet", geometry_geojson=square_geojson(-1.60, 53.78, -1.50, 53.82))
    earlier = ratings("Requires improvement", report_date=date(2022, 5, 1), safe=Rating.REQUIRES_IMPROVEMENT)
    for rating in (earlier, ratings("Good", report_date=date(2024, 9, 2))):
        cqc_records_import(records=[location_record(current_rating=RatingRecord(rating))], source="csv")
    unrated = location_record(location_id="1-9", provider_id="1-99", provider_name="Wharfe Care", current_rating=None)
    cqc_records_import(records=[unrated], source="csv")

    officer: Page = signed_in_page("officer")
    officer.goto("/commissioning/providers/")
    expect(officer.locator("h1")).to_have_text("Providers")
    assert_no_serious_accessibility_violations(officer)
    officer.get_by_label("Current CQC rating").select_option("Good")
    officer.get_by_role("button", name="Apply filters").click()
    expect(officer.locator("#results-heading")).to_have_text("1 provider")
    officer.get_by_role("link", name="Aire Valley Homecare Ltd").click()
    expect(officer.locator("h1")).to_contain_text("Aire Valley Homecare Ltd")
    expect(officer.get_by_role("row").filter(has_text="2 Sep 2024")).to_have_count(1)
    expect(officer.get_by_role("row").filter(has_text="1 May 2022")).to_have_count(1)
    assert_no_serious_accessibility_violations(officer)
    save_screenshot(officer, "providers-detail")

    officer.goto("/commissioning/providers/areas/")
    assert_no_serious_accessibility_violations(officer)
    officer.get_by_role("link", name="Change the area of City and Hunslet ward").click()
    officer.get_by_role("button", name="Save").click()
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Enter why you are moving this ward")
    assert_no_serious_accessibility_violations(officer)
    officer.get_by_label("Locality area").select_option(label="No area")
    officer.get_by_label("Why are you moving this ward?").fill("Testing the move")
    officer.get_by_role("button", name="Save").click()
    expect(officer.get_by_text("City and Hunslet ward is now in no area.")).to_be_visible()
    assert Ward.objects.get(name="City and Hunslet").area is None
