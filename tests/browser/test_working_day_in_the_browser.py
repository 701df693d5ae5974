"""Each audience's working day in a real browser: the officer's to-do list, the award page with its acceptors,
the CCC acting on an escalated package, and the provider's home and "My packages" on a 375-px phone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from brokerage.models import CarePackage, Offer, PackageNote
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_decline
from providers.models import Provider
from tests.brokerage.factories import equip, make_isa, make_market, rate
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot
from tests.contracts.factories import MembershipFactory
from tests.factories import ProviderFactory, make_provider_user

PHONE = {"width": 375, "height": 800}
ZOOMED = {"width": 640, "height": 450}  # a 1280 x 900 window at 200% zoom


def _submitted(market, officer, **overrides) -> CarePackage:
    package = package_enter(isa=make_isa(market, **overrides), entered_by=officer).package
    package_broker(package_id=package.pk)
    package.refresh_from_db()
    return package


def _accept(package: CarePackage, provider: Provider, user=None, *, days: int = 3) -> Offer:
    offer = Offer.objects.get(package=package, provider=provider, round_number=package.round_number)
    return offer_accept(
        offer_id=offer.pk,
        provider_user=user or make_provider_user(provider),
        start_on=timezone.localdate() + timedelta(days=days),
    )


def _unplaced(market, officer) -> CarePackage:
    package = _submitted(market, officer)
    for offer in package.offers.filter(status=Offer.Status.PENDING).select_related("provider"):
        offer_decline(offer_id=offer.pk, provider_user=make_provider_user(offer.provider), reason="no_capacity")
    package.refresh_from_db()
    assert package.status == CarePackage.Status.UNPLACED
    return package


def _fits(page: Page, width: int) -> None:
    """Nothing on the page is wider than the screen: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_the_officer_home_is_a_to_do_list_whose_counts_open_their_lists(signed_in_page, officer) -> None:
    market = make_market(providers=2)
    lost = _unplaced(market, officer)
    package_enter(isa=make_isa(market), entered_by=officer, submit=False)
    page = signed_in_page("officer")
    page.goto("/commissioning/")
    expect(page.locator("h1")).to_have_text("Commissioning")
    expect(page.get_by_role("heading", name="Your to-do list")).to_be_visible()
    unplaced = page.locator("#officer-todo li", has_text="Unplaced packages")
    expect(unplaced.locator(".govuk-tag")).to_have_text("1")
    expect(page.locator("#officer-todo li", has_text="Drafts to finish").locator(".govuk-tag")).to_have_text("1")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "officer-home")

    unplaced.get_by_role("link").click()
    expect(page.get_by_role("link", name=lost.reference)).to_be_visible()
    expect(page.locator("#filter-status")).to_have_value("unplaced")


def test_the_award_page_shows_the_acceptors_and_needs_a_reason_to_pass_the_best(signed_in_page, officer) -> None:
    market = make_market(providers=3)
    package = _submitted(market, officer)
    _accept(package, market.providers[1], days=4)
    _accept(package, market.providers[2], days=2)
    page = signed_in_page("officer")
    page.goto(f"/commissioning/packages/{package.pk}/award/")
    cards = page.locator(".hc-acceptors .govuk-summary-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Provider B Care Ltd")
    expect(cards.first).to_contain_text("Recommended")
    expect(cards.nth(1)).to_contain_text("Provider C Care Ltd")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "award-acceptors")

    page.get_by_label("Provider C Care Ltd: rank 3").check()
    page.get_by_role("button", name="Award the package").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Record why you are awarding past it")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "award-reason-needed")

    page.get_by_label("Reason (needed if you award past a better-ranked acceptor)").fill("C can start two days sooner")
    page.get_by_role("button", name="Award the package").click()
    expect(page.locator(".govuk-notification-banner, .govuk-notification-banner--success").first).to_contain_text(
        "awarded to Provider C Care Ltd"
    )
    package.refresh_from_db()
    assert package.awarded_provider == market.providers[2]


def test_ccc_staff_note_a_call_and_widen_the_search_for_an_escalated_package(signed_in_page, officer) -> None:
    market = make_market(providers=2)
    package = _unplaced(market, officer)
    page = signed_in_page("ccc_user")
    page.goto(f"/ccc/packages/{package.pk}/")
    expect(page.locator("h1")).to_contain_text(package.reference)
    page.get_by_label("Who did you call? (optional)").fill("Provider A office")
    page.get_by_label("What was said or agreed").fill("They may have a carer from next week")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator("#notes + dl")).to_contain_text("Called Provider A office.")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "ccc-package")

    page.get_by_role("link", name="Broker again").click()
    page.get_by_label("Required skills (any provider may be offered it)").check()
    page.get_by_label("What has changed, and why?").fill("Dementia training is not essential, says the social worker")
    assert_no_serious_accessibility_violations(page)
    page.get_by_role("button", name="Broker again").click()
    expect(page.locator("h1")).to_contain_text(package.reference)
    expect(page.locator("#notes + dl")).to_contain_text("required skills no longer required")
    package.refresh_from_db()
    assert package.status == CarePackage.Status.BROKERING and package.round_number == 2
    assert PackageNote.objects.filter(package=package).count() == 2


def test_the_provider_home_and_my_packages_work_on_a_phone(signed_in_page, officer, provider, provider_user) -> None:
    market = make_market(providers=1)
    rate(provider, lat=53.82, lon=-1.575)  # the nearest: the persona's organisation ranks first
    equip(provider, market.area)
    MembershipFactory(agreement=market.agreement, provider=provider)
    held = _submitted(market, officer, special_requirements="Key safe by the back door")
    _accept(held, provider, provider_user)
    held.refresh_from_db()
    assert held.awarded_provider == provider
    waiting = _submitted(market, officer)

    page = signed_in_page("provider_user")
    for size in (PHONE, ZOOMED):
        page.set_viewport_size(size)
        page.goto("/portal/")
        expect(page.locator("h1")).to_have_text("Provider portal")
        expect(page.locator(".govuk-summary-card", has_text=waiting.reference)).to_contain_text("Respond by")
        _fits(page, size["width"])
    assert_no_serious_accessibility_violations(page)
    page.set_viewport_size(PHONE)
    save_screenshot(page, "portal-home-phone")

    page.goto("/portal/offers/")  # every offer: cards, so "Respond by" and the status stay on screen
    expect(page.locator(".govuk-summary-card", has_text=waiting.reference)).to_contain_text("Respond by")
    _fits(page, PHONE["width"])
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "portal-offers-phone")

    page.goto("/portal/packages/")
    expect(page.locator("h1")).to_have_text("My packages")
    expect(page.locator(".govuk-summary-card", has_text=held.reference)).to_be_visible()
    expect(page.get_by_text(market.agreement.name).first).to_be_visible()
    _fits(page, PHONE["width"])
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "my-packages-phone")

    page.get_by_role("link", name=f"Care details of {held.reference}").click()
    expect(page.get_by_text("1 Test Street")).to_be_visible()
    expect(page.get_by_text("Key safe by the back door")).to_be_visible()
    _fits(page, PHONE["width"])
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "my-package-phone")
    page.set_viewport_size(ZOOMED)
    _fits(page, ZOOMED["width"])


def test_officers_see_a_providers_work_beside_its_cqc_data_and_search_agreement_members(
    signed_in_page, officer
) -> None:
    market = make_market(providers=2)
    held = _submitted(market, officer)
    _accept(held, market.providers[0])
    for number in range(30):
        MembershipFactory(agreement=market.agreement, provider=ProviderFactory(name=f"Member {number:02d} Ltd"))
    page = signed_in_page("officer")
    page.goto(f"/commissioning/providers/{market.providers[0].pk}/")
    expect(page.get_by_role("heading", name="Membership")).to_be_visible()
    expect(page.locator("#provider-performance")).to_contain_text("Offers made")
    expect(page.get_by_role("link", name=held.reference)).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "provider-detail-work")

    page.goto(f"/commissioning/agreements/{market.agreement.pk}/")
    expect(page.locator("#member-count")).to_contain_text("32 DPS members, 25 a page")
    page.get_by_label("Search members by provider name").fill("Member 07")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#member-count")).to_contain_text("1 DPS member matching")
    expect(page.get_by_role("cell", name="Member 07 Ltd", exact=True)).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "agreement-member-search")
