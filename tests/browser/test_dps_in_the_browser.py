"""A provider applies and an officer decides, in a real browser; the pages pass axe-core's serious checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dps.models import ApplicationStatus, ProviderApplication
from tests.browser.conftest import assert_no_serious_accessibility_violations, save_screenshot
from tests.contracts.factories import AgreementFactory, FeeRateFactory, LotFactory, MembershipFactory
from tests.dps.factories import make_location, make_open_round, write_boundary


@pytest.fixture(autouse=True)
def square_council(settings, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path)


def test_a_provider_applies_in_the_portal_and_an_officer_appoints_it(signed_in_page, provider):
    agreement = AgreementFactory()
    dps_round = make_open_round(agreement)
    make_location(provider, name="Acme Leeds Central")

    portal: Page = signed_in_page("provider_user")
    portal.goto("/portal/dps/")
    assert_no_serious_accessibility_violations(portal)
    portal.get_by_role("button", name="Start an application").click()
    expect(portal.locator("h1")).to_have_text("Your DPS application")
    portal.get_by_label("Acme Leeds Central", exact=False).check()
    portal.get_by_label("We will comply with the terms of the contract").check()
    portal.get_by_label("We will pass the whole staff-pay element", exact=False).check()
    portal.get_by_label("We accept the council's fee rates").check()
    assert_no_serious_accessibility_violations(portal)
    portal.get_by_role("button", name="Submit application").click()
    expect(portal.get_by_text("Application submitted.")).to_be_visible()
    save_screenshot(portal, "dps-portal-submitted")

    application = ProviderApplication.objects.get(dps_round=dps_round, provider=provider)
    officer: Page = signed_in_page("officer")
    officer.goto(f"/commissioning/dps/applications/{application.pk}/")
    expect(officer.locator(".govuk-task-list__status .govuk-tag--green")).to_have_count(6)
    assert_no_serious_accessibility_violations(officer)
    officer.get_by_label("Appoint").check()
    officer.get_by_label("Reasons").fill("Meets every published criterion.")
    officer.get_by_role("button", name="Record decision").click()
    expect(officer.get_by_text("Recorded the decision.")).to_be_visible()
    save_screenshot(officer, "dps-officer-decided")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPOINTED


def test_the_agreement_page_is_accessible(signed_in_page):
    agreement = AgreementFactory()
    lot = LotFactory(agreement=agreement)
    MembershipFactory(agreement=agreement, lot=lot, role="lead_provider")
    MembershipFactory(agreement=agreement)
    FeeRateFactory(agreement=agreement)
    officer: Page = signed_in_page("officer")
    officer.goto(f"/commissioning/agreements/{agreement.pk}/")
    expect(officer.locator("h1")).to_have_text(agreement.name)
    assert_no_serious_accessibility_violations(officer)
    officer.goto(f"/commissioning/agreements/{agreement.pk}/fee-rates/new/")
    officer.get_by_role("button", name="Add fee rate").click()
    expect(officer.locator(".govuk-error-summary")).to_be_visible()
    assert_no_serious_accessibility_violations(officer)
    save_screenshot(officer, "contracts-fee-rate-errors")
