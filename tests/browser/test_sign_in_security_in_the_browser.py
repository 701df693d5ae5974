"""The second step, the authenticator set-up and the lockout page, as people see them."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from homecare.accounts.audiences import Audience
from tests.browser.harness import assert_no_serious_accessibility_violations, save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory, current_totp_code


def enter_password(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_gives_the_code_on_a_second_page(page: Page, officer: User):
    enter_password(page, "officer")
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "sign-in-code")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    save_screenshot(page, "sign-in-code-wrong")


def test_a_new_officer_sets_up_an_authenticator_from_the_qr_code(page: Page):
    officer = UserFactory(username="newofficer", audiences=[Audience.OFFICER])
    enter_password(page, "newofficer")
    expect(page.locator("h1")).to_have_text("Set up two-step verification")
    expect(page.locator(".hc-qr-code svg")).to_be_visible()
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "mfa-set-up")
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(current_totp_code(device))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page).to_have_url(re.compile(r"/commissioning/$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Two-step verification is set up")


def test_a_locked_out_person_is_told_why_on_the_sign_in_page(page: Page, provider_user: User):
    for _ in range(5):
        enter_password(page, "provider", "not-the-password")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Sign-in is locked")
    expect(page.locator("h1")).to_have_text("Sign in")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "sign-in-locked")
