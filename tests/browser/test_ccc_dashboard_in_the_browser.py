"""CCC staff sign in, see the dashboard (charts drawn, figures linked), drill down, and axe finds nothing serious."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page, expect

from brokerage.models import CarePackage, Offer
from tests.brokerage.dashboard.factories import make_world
from tests.browser.conftest import assert_no_serious_accessibility_violations, save_screenshot


def test_ccc_staff_see_the_dashboard_and_drill_down_to_the_packages(signed_in_page) -> None:
    world = make_world(now=timezone.now())
    page: Page = signed_in_page("ccc_user")
    page.goto("/ccc/")
    expect(page.locator("h1")).to_have_text("Care Communications Centre")
    expect(page.get_by_text("Deadline passed").first).to_be_visible()
    expect(page.locator("#chart-weekly")).to_be_visible()
    assert page.evaluate("typeof Chart") == "function"
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "ccc-dashboard")

    page.get_by_role("link", name="2 packages waiting: list them").click()
    expect(page.locator("h1")).to_contain_text("Waiting to be placed: 2 packages")
    expect(page.get_by_text(world.packages["P4"].reference)).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    assert CarePackage.objects.count() == 6 and Offer.objects.count() == 11
