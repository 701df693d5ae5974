"""Brokerage in a real browser: an officer enters an ISA, a provider accepts it; every page passes axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from tests.brokerage.factories import equip, make_market, rate
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot
from tests.contracts.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_enters_a_package_and_a_provider_accepts_it_in_the_portal(signed_in_page, provider):
    market = make_market(providers=1)
    rate(provider, lat=53.8190, lon=-1.5760)  # next door to the person: ranked first
    equip(provider, market.area)
    MembershipFactory(agreement=market.agreement, provider=provider)

    officer: Page = signed_in_page("officer")
    officer.goto("/commissioning/packages/new/")
    assert_no_serious_accessibility_violations(officer)
    officer.get_by_label("First name").fill("Joan")
    officer.get_by_label("Last name").fill("Pickard")
    officer.get_by_label("Address line 1").fill("3 Test Lane")
    officer.get_by_label("Postcode", exact=True).fill("LS6 1AA")
    start = timezone.localdate() + timedelta(days=4)
    officer.locator("#id_requested_start_on_0").fill(str(start.day))
    officer.locator("#id_requested_start_on_1").fill(str(start.month))
    officer.locator("#id_requested_start_on_2").fill(str(start.year))
    officer.get_by_label("Visit 1 day").select_option("0")
    officer.get_by_label("Visit 1 from").fill("08:00")
    officer.get_by_label("Visit 1 until").fill("09:00")
    officer.get_by_label("Visit 1 minutes").fill("45")
    officer.get_by_role("button", name="Submit for brokering").click()
    expect(officer.get_by_text("submitted: providers are being ranked")).to_be_visible()
    package = CarePackage.objects.get()
    package_broker(package_id=package.pk)  # what the worker does on commit
    officer.reload()
    expect(officer.get_by_role("heading", name="Rankings")).to_be_visible()
    assert_no_serious_accessibility_violations(officer)
    save_screenshot(officer, "brokerage-officer-package")

    portal: Page = signed_in_page("provider_user")
    offer = Offer.objects.get(package=package, provider=provider)
    portal.goto("/portal/offers/")
    assert_no_serious_accessibility_violations(portal)
    portal.get_by_role("link", name=package.reference).click()
    expect(portal.get_by_text("Joan")).to_have_count(0)
    assert_no_serious_accessibility_violations(portal)
    portal.locator("#id_accept-start_on_0").fill(str(start.day))
    portal.locator("#id_accept-start_on_1").fill(str(start.month))
    portal.locator("#id_accept-start_on_2").fill(str(start.year))
    portal.get_by_role("button", name="Accept this package").click()
    expect(portal.get_by_text("is awarded to you")).to_be_visible()
    expect(portal.get_by_text("Joan Pickard")).to_be_visible()
    assert_no_serious_accessibility_violations(portal)
    save_screenshot(portal, "brokerage-portal-awarded")
    offer.refresh_from_db()
    assert offer.status == "awarded"

    portal.goto("/portal/offers/capacity/")
    assert_no_serious_accessibility_violations(portal)
    portal.get_by_role("button", name="Save capacity").click()
    expect(portal.get_by_text("Your capacity is up to date")).to_be_visible()
