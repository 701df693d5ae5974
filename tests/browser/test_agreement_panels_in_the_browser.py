"""The DPS rounds panel that dps adds to an agreement's page works in a real browser (CSRF token included)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dps.models import DpsRound
from tests.browser.conftest import assert_no_serious_accessibility_violations, save_screenshot
from tests.contracts.factories import AgreementFactory, FeeRateFactory


def test_an_officer_schedules_rounds_from_the_dps_panel_of_the_agreement_page(signed_in_page):
    agreement = AgreementFactory()
    FeeRateFactory(agreement=agreement)
    officer: Page = signed_in_page("officer")
    officer.goto(f"/commissioning/agreements/{agreement.pk}/")
    rounds = officer.get_by_role("heading", name="DPS rounds")
    expect(rounds).to_be_visible()
    expect(officer.get_by_text("No rounds scheduled.")).to_be_visible()
    # The panel sits between the agreement's own sections, as it always has.
    headings = officer.locator("h2").all_inner_texts()
    assert headings.index("DPS rounds") == headings.index("Fee rates") + 1
    assert headings.index("Recent changes") == headings.index("DPS rounds") + 1

    officer.get_by_role("button", name="Schedule rounds from the agreement's term").click()
    expect(officer.get_by_text("No rounds scheduled.")).to_have_count(0)
    scheduled = DpsRound.objects.filter(agreement=agreement).count()
    assert scheduled > 0
    expect(officer.locator("h2:has-text('DPS rounds') + ul.govuk-list li")).to_have_count(scheduled)
    assert_no_serious_accessibility_violations(officer)
    save_screenshot(officer, "contracts-agreement-with-dps-rounds")
