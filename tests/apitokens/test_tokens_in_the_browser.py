"""An officer makes, copies and revokes an API token in the browser; the pages pass axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import assert_no_serious_accessibility_violations, follow_link, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_creates_sees_once_and_revokes_a_token(signed_in_page):
    page: Page = signed_in_page("officer")
    page.goto("/commissioning/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.locator("h1")).to_have_text("Your API tokens")
    assert_no_serious_accessibility_violations(page)

    page.get_by_role("button", name="Create an API token").click()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    save_screenshot(page, "api-token-name-missing")
    page.get_by_label("Name").fill("Mosaic live interface")
    page.get_by_role("button", name="Create token").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("API token created")
    secret = page.get_by_test_id("api-token-secret").inner_text()
    assert len(secret) == 64
    expect(page.locator(".govuk-warning-text")).to_contain_text("You will not be able to see it again")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "api-token-created")

    page.get_by_role("link", name="Back to your API tokens").click()
    row = page.get_by_role("row", name="Mosaic live interface")
    expect(row).to_contain_text(secret[:8])
    expect(page.locator("body")).not_to_contain_text(secret)
    save_screenshot(page, "api-token-list")

    follow_link(row.get_by_role("link", name="Revoke Mosaic live interface"))
    assert_no_serious_accessibility_violations(page)
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("revoked")
    expect(page.locator("body")).to_contain_text("You have no API tokens.")
