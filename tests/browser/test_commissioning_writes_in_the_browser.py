"""The officer pages for debarment entries, funding models with a chosen sensitivity, and the reports panel,
in a real browser; each page passes axe-core's serious checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from commissioning.models import DebarmentEntry, FundingModel
from providers.models import LocalityArea
from tests.browser.conftest import assert_no_serious_accessibility_violations, save_screenshot


@pytest.fixture
def areas(db: None) -> None:
    LocalityArea.objects.create(name="East", code="east", display_order=1)
    LocalityArea.objects.create(name="West", code="west", display_order=2)


def test_an_officer_sets_up_a_funding_model_and_chooses_a_weight_change(signed_in_page, areas):
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/procurement/funding/")
    page.get_by_role("link", name="Set up a funding model").click()
    assert_no_serious_accessibility_violations(page)
    fields = {
        "name": "Localities 2026/27",
        "budget": "1000.00",
        "floor_percent": "90",
        "indicator1_name": "Population over 65",
        "indicator1_weight": "2",
        "indicator1_source": "ONS mid-year estimates",
        "indicator1_east": "300",
        "indicator1_west": "100",
        "indicator2_name": "Deprivation",
        "indicator2_weight": "1",
        "indicator2_east": "1",
        "indicator2_west": "3",
        "current_east": "500",
        "current_west": "500",
    }
    for name, value in fields.items():
        page.locator(f"[name={name}]").fill(value)
    save_screenshot(page, "procurement-funding-create")
    page.get_by_role("button", name="Save the funding model").click()
    expect(page.get_by_text("Funding model saved and its shares calculated.")).to_be_visible()
    expect(page.locator("#funding-total")).to_have_text("1,000.00")
    page.get_by_label("Population over 65").select_option("-25")
    page.get_by_label("Deprivation").select_option("25")
    page.get_by_role("button", name="Show the change").click()
    expect(page.locator("#funding-scenario")).to_contain_text("522.73")
    expect(page.locator("#scenario-total")).to_have_text("1,000.00")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-funding-scenario")
    assert FundingModel.objects.count() == 1


def test_an_officer_records_a_debarment_entry(signed_in_page):
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/procurement/markets/")
    page.get_by_role("link", name="Record a debarment list entry").click()
    assert_no_serious_accessibility_violations(page)
    page.locator("[name=supplier_name]").fill("Acme Care Ltd")
    page.locator("[name=ground]").fill("Fraud")
    page.locator("[name=entered_on_0]").fill("3")
    page.locator("[name=entered_on_1]").fill("3")
    page.locator("[name=entered_on_2]").fill("2025")
    page.get_by_role("button", name="Record the entry").click()
    expect(page.get_by_text("Recorded Acme Care Ltd on the debarment list.")).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-debarment-recorded")
    assert DebarmentEntry.objects.get().ground == "Fraud"
