"""On a 375-pixel phone: the officer builds a visit pattern in the entry form (rows added and removed in the page
by JavaScript, and a pattern from the server), and the provider reads its offers and the offer page; nothing
is wider than the screen and every page passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from tests.brokerage.factories import equip, make_market, rate
from tests.browser.harness import ARTIFACTS_DIR, assert_no_serious_accessibility_violations, save_screenshot
from tests.contracts.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 800}


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def test_on_a_phone_an_officer_builds_visits_and_a_provider_reads_the_offer(signed_in_page, provider):
    market = make_market(providers=1)
    rate(provider, lat=53.8190, lon=-1.5760)
    equip(provider, market.area)
    MembershipFactory(agreement=market.agreement, provider=provider)

    officer: Page = signed_in_page("officer")
    officer.set_viewport_size(PHONE)
    officer.goto("/commissioning/packages/new/")
    expect(officer.locator(".hc-visit-row")).to_have_count(1)
    # Added in the page (no round trip), then one removed: the rows renumber themselves.
    officer.get_by_role("button", name="Add another visit").click()
    officer.get_by_role("button", name="Add another visit").click()
    expect(officer.locator(".hc-visit-row")).to_have_count(3)
    expect(officer.get_by_text("Visit 3 added.")).to_be_visible()
    officer.get_by_role("button", name="Remove visit 2").click()
    expect(officer.locator(".hc-visit-row")).to_have_count(2)
    expect(officer.locator("#id_visits-TOTAL_FORMS")).to_have_value("2")
    officer.get_by_label("First name").fill("Joan")
    officer.get_by_label("Last name").fill("Pickard")
    officer.get_by_label("Address line 1").fill("3 Test Lane")
    officer.get_by_label("Postcode", exact=True).fill("LS6 1AA")
    start = timezone.localdate() + timedelta(days=4)
    officer.locator("#id_requested_start_on_0").fill(str(start.day))
    officer.locator("#id_requested_start_on_1").fill(str(start.month))
    officer.locator("#id_requested_start_on_2").fill(str(start.year))
    officer.get_by_label("Care needs (optional)").fill("Uses a hoist")
    officer.get_by_label("Access details and private notes (optional)").fill("Key safe 4321")
    officer.locator("#visits").evaluate("fieldset => fieldset.scrollIntoView()")
    officer.screenshot(path=str(ARTIFACTS_DIR / "entry-form-phone-visit-buttons.png"))
    # Four calls a day, from the server: 28 rows, the typed details kept.
    officer.get_by_role("button", name="Start from four calls a day").click()
    expect(officer.locator(".hc-visit-row")).to_have_count(28)
    expect(officer.get_by_label("First name")).to_have_value("Joan")
    officer.get_by_label("Visit 1 carers").select_option("2")
    officer.get_by_label("Visit 4 carers").select_option("2")
    box = officer.get_by_label("Visit 1 from").bounding_box()
    text_width = officer.get_by_label("Visit 1 from").evaluate("input => input.scrollWidth")
    assert box is not None and text_width <= box["width"], "the time box cuts off 07:30"
    _fits_the_screen(officer)
    assert_no_serious_accessibility_violations(officer)
    save_screenshot(officer, "entry-form-phone-28-visits")
    officer.locator(".hc-visit-row").first.evaluate("row => row.scrollIntoView()")
    officer.screenshot(path=str(ARTIFACTS_DIR / "entry-form-phone-visit-rows.png"))  # the first rows, readable
    officer.get_by_role("button", name="Submit for brokering").click()
    expect(officer.get_by_text("submitted: providers are being ranked")).to_be_visible()
    package = CarePackage.objects.get()
    assert package.visits.count() == 28 and package.visits.filter(carers=2).count() == 2
    package_broker(package_id=package.pk)

    portal: Page = signed_in_page("provider_user")
    portal.set_viewport_size(PHONE)
    portal.goto("/portal/offers/")
    expect(portal.get_by_text("Respond by")).to_be_visible()
    _fits_the_screen(portal)
    assert_no_serious_accessibility_violations(portal)
    save_screenshot(portal, "portal-offers-phone")
    portal.get_by_role("link", name=package.reference).click()
    expect(portal.get_by_text("Uses a hoist")).to_be_visible()
    expect(portal.get_by_text("Key safe 4321")).to_have_count(0)
    expect(portal.get_by_text("Double-handed").first).to_be_visible()
    _fits_the_screen(portal)
    assert_no_serious_accessibility_violations(portal)
    save_screenshot(portal, "portal-offer-phone")
    assert Offer.objects.get(package=package, provider=provider).status == "pending"
