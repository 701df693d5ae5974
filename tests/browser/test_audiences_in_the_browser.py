"""Each audience signs in through the real form and sees its own area and navigation."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from homecare.accounts.audiences import Audience
from homecare.accounts.navigation import NAVIGATION
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot, sign_in
from tests.factories import TEST_PASSWORD

AUDIENCES = [
    ("officer", Audience.OFFICER, "Commissioning"),
    ("ccc_user", Audience.CCC, "Care Communications Centre"),
    ("provider_user", Audience.PROVIDER, "Provider portal"),
]


def expected_menu(audience: Audience) -> list[str]:
    labels = []
    for label, url_name in NAVIGATION[audience]:
        try:
            reverse(url_name)
        except NoReverseMatch:
            continue  # the context processor leaves out pages that are not built yet
        labels.append(label)
    return labels


@pytest.mark.parametrize(("persona", "audience", "heading"), AUDIENCES)
def test_each_audience_signs_in_and_sees_its_own_navigation(request, page: Page, persona, audience, heading):
    user = request.getfixturevalue(persona)
    sign_in(page, user.username, TEST_PASSWORD)

    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/{audience.value}/$"))
    expect(page.locator("h1")).to_have_text(heading)
    service_nav = page.get_by_role("region", name="Service information")
    expect(service_nav.locator(".govuk-service-navigation__service-name")).to_have_text(
        f"Homecare brokerage: {audience.label}"
    )
    expect(service_nav.get_by_role("navigation", name="Menu").get_by_role("link")).to_have_text(expected_menu(audience))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    save_screenshot(page, f"home-{audience.value}")


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_username(page: Page, officer):
    sign_in(page, "officer", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # govuk-frontend's error summary moves focus to itself
    expect(page.get_by_label("Username")).to_have_value("officer")
    expect(page).to_have_title(f"Error: Sign in \u2013 Homecare brokerage \u2013 {settings.COUNCIL_NAME}")
    save_screenshot(page, "sign-in-error")


def test_a_provider_user_is_refused_commissioning_pages(signed_in_page):
    page = signed_in_page("provider_user")
    response = page.goto("/commissioning/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")


def test_the_sign_in_page_has_no_serious_accessibility_violations(page: Page):
    page.goto("/accounts/sign-in/")
    expect(page.locator("h1")).to_have_text("Sign in")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "sign-in")


@pytest.mark.parametrize(("persona", "audience", "heading"), AUDIENCES)
def test_each_audience_home_page_has_no_serious_accessibility_violations(signed_in_page, persona, audience, heading):
    page = signed_in_page(persona)
    page.goto(f"/{audience.value}/")
    expect(page.locator("h1")).to_have_text(heading)
    assert_no_serious_accessibility_violations(page)


def test_the_council_is_named_and_no_gov_uk_crown_or_font_is_used(page: Page):
    page.goto("/accounts/sign-in/")
    expect(page.locator(".govuk-header")).to_contain_text(settings.COUNCIL_NAME)
    assert page.locator(".govuk-header svg, .govuk-logo").count() == 0
    font_requests = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/assets/fonts/'))"
    )
    assert font_requests == []
