"""Changes after award in a real browser: the provider answers a variation on a 375-px phone; axe checks."""

from __future__ import annotations

import pytest

from brokerage.models import PackageChange
from brokerage.services.changes import package_suspend, package_vary
from homecare.queue import enqueue_suspended
from providers.models import ProviderStaff
from tests.brokerage.changes_helpers import HOUR_AND_A_HALF_A_DAY, awarded_package, day
from tests.brokerage.factories import make_market
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_answers_a_variation_on_a_phone_and_the_officer_sees_it(signed_in_page, officer, provider_user):
    market = make_market(providers=2)
    with enqueue_suspended():
        package, _offer, _user = awarded_package(market, officer)
        ProviderStaff.objects.filter(user=provider_user).update(provider=market.providers[0])
        change = package_vary(
            package_id=package.pk, requested_by=officer, effective_from=day(2), visits=HOUR_AND_A_HALF_A_DAY,
            note="The morning call needs longer",
        )  # fmt: skip
    page = signed_in_page("provider_user")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/portal/offers/changes/")
    page.get_by_role("link", name=f"{package.reference}: new care from").click()
    assert page.locator("h1").inner_text().startswith("Variation from")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "change-variation-answer-375")
    with enqueue_suspended():
        page.get_by_label("Yes, we accept the variation").check()
        page.get_by_role("button", name="Send the answer").click()
        page.wait_for_url("**/portal/offers/changes/")
    change.refresh_from_db()
    assert change.status == PackageChange.Status.ACCEPTED

    with enqueue_suspended():
        package_suspend(
            package_id=package.pk, suspended_by=officer, starts_on=day(3), expected_return_on=day(9), reason="hospital"
        )
    officer_page = signed_in_page("officer")
    officer_page.goto(f"/commissioning/packages/{package.pk}/changes/")
    assert "Accepted by the provider" in officer_page.content()
    assert "Hospital admission; expected back" in officer_page.content()
    assert_no_serious_accessibility_violations(officer_page)
    save_screenshot(officer_page, "change-officer-list")
    officer_page.goto(f"/commissioning/packages/{package.pk}/vary/")
    assert_no_serious_accessibility_violations(officer_page)
