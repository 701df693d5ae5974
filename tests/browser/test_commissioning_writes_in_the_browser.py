"""The officer pages for debarment entries, funding models with a chosen sensitivity, direct CHWS referrals,
panel members and the reports page's pilot panel, in a real browser; each page passes axe-core's serious checks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from commissioning.models import DebarmentEntry, FundingModel, Referral
from homecare.accounts.audiences import Audience
from providers.models import LocalityArea
from tests.browser.harness import assert_no_serious_accessibility_violations, follow_link, save_screenshot
from tests.commissioning.world import commissioning_values
from tests.contracts.factories import AgreementFactory
from tests.factories import ProviderFactory


@pytest.fixture
def areas(db: None) -> None:
    LocalityArea.objects.create(name="East", code="east", display_order=1)
    LocalityArea.objects.create(name="West", code="west", display_order=2)


def test_an_officer_sets_up_a_funding_model_and_chooses_a_weight_change(signed_in_page, areas):
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/procurement/funding/")
    follow_link(page.get_by_role("link", name="Set up a funding model"))
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
    expect(page.locator("#funding-scenario caption")).to_have_text(
        "With Population over 65 down 25%, Deprivation up 25%"
    )
    expect(page.locator("#scenario-total")).to_have_text("1,000.00")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-funding-scenario")
    assert FundingModel.objects.count() == 1


def test_an_officer_records_a_debarment_entry(signed_in_page):
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/procurement/markets/")
    follow_link(page.get_by_role("link", name="Record a debarment list entry"))
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


def test_an_officer_refers_a_person_adds_an_evaluator_and_sees_the_pilot_on_the_reports_page(signed_in_page, officer):
    area = LocalityArea.objects.create(name="North", code="north", display_order=1)
    values = commissioning_values(officer, AgreementFactory(), ProviderFactory(), area)
    colleague = User.objects.create_user("colleague", first_name="Sam", last_name="Evans")
    colleague.groups.add(Group.objects.get_or_create(name=Audience.OFFICER.group_name)[0])
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/procurement/neighbourhood/")
    follow_link(page.get_by_role("link", name="Refer a person to a neighbourhood team"))
    assert_no_serious_accessibility_violations(page)
    page.get_by_label("Neighbourhood team").select_option(str(values["bank_id"]))
    page.locator("[name=person_reference]").fill("M-42")
    page.locator("[name=referred_on_0]").fill("5")
    page.locator("[name=referred_on_1]").fill("5")
    page.locator("[name=referred_on_2]").fill("2025")
    page.locator("[name=outcomes]").fill("Walk to the shop again\nCook a hot meal")
    save_screenshot(page, "procurement-referral")
    page.get_by_role("button", name="Make the referral").click()
    expect(page.get_by_text("Referred M-42 to Team.")).to_be_visible()
    assert Referral.objects.get(person_reference="M-42").outcomes.count() == 2

    page.goto(f"/commissioning/procurement/tenders/{values['tender_id']}/")
    follow_link(page.get_by_role("link", name="Add an evaluator to the panel"))
    assert_no_serious_accessibility_violations(page)
    page.get_by_label("Officer").select_option(label="Sam Evans")
    page.locator("[name=organisation]").fill("NHS Leeds")
    page.get_by_role("button", name="Add to the panel").click()
    expect(page.get_by_text("Added Sam Evans to the panel.")).to_be_visible()
    expect(page.get_by_text("Sam Evans, NHS Leeds")).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-panel-added")

    page.goto("/commissioning/reports/")
    expect(page.locator("#pilot-panel-table")).to_contain_text("Neighbourhood team")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "reports-pilot-panel")
