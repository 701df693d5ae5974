"""Under the Content-Security-Policy every audience's pages still work in Chromium, and nothing is refused.

Each page records the browser's ``securitypolicyviolation`` events (the harness also fails on any console
error, which is where Chromium reports a refused script or style). Looking is part of the test too: the
screenshots are in test-artifacts/csp-*.png.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.brokerage.dashboard.factories import make_world
from tests.browser.harness import save_screenshot, sign_in
from tests.factories import TEST_PASSWORD, UserFactory

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.effectiveDirective} refused ${event.blockedURI} (${where})`);
});
"""
GOVUK_FRONTEND_STARTED = "document.body.classList.contains('govuk-frontend-supported')"


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.cspViolations")
    return found


def open_page(page: Page, path: str) -> None:
    page.context.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    assert "default-src 'self'" in (response.header_value("content-security-policy") or "")
    page.wait_for_load_state("networkidle")


def assert_govuk_page_works(page: Page, name: str) -> None:
    expect(page.locator("h1")).to_have_count(1)
    assert page.evaluate(GOVUK_FRONTEND_STARTED), "the GOV.UK Frontend support check did not run"
    # initAll() ran (from static/js/govuk-frontend-init.js): the service navigation was started.
    expect(page.locator("[data-module='govuk-service-navigation']")).to_have_attribute(
        "data-govuk-service-navigation-init", ""
    )
    assert page.evaluate("typeof htmx") == "object"
    assert violations(page) == []
    save_screenshot(page, f"csp-{name}")


def test_sign_in_page_works_under_the_policy(page: Page) -> None:
    open_page(page, "/accounts/sign-in/")
    assert_govuk_page_works(page, "sign-in")


def test_officer_and_provider_home_pages_work_under_the_policy(signed_in_page: Any) -> None:
    page = signed_in_page("officer")
    open_page(page, "/commissioning/")
    assert_govuk_page_works(page, "officer-home")
    page.context.clear_cookies()
    page = signed_in_page("provider_user")
    open_page(page, "/portal/")
    assert_govuk_page_works(page, "provider-home")


def test_the_ccc_dashboard_draws_its_charts_and_htmx_refreshes_it_under_the_policy(signed_in_page: Any) -> None:
    make_world(now=timezone.now())
    page = signed_in_page("ccc_user")
    page.clock.install()  # htmx's "every 60s" and "every 300s" timers, run on demand below
    open_page(page, "/ccc/")
    assert_govuk_page_works(page, "ccc-dashboard")
    assert page.evaluate("Chart.getChart('chart-weekly') !== undefined && Chart.getChart('chart-spread') !== undefined")

    with page.expect_response(lambda response: "/ccc/live/" in response.url) as live:
        page.clock.run_for(61_000)
    assert live.value.ok
    with page.expect_response(lambda response: "/ccc/figures/" in response.url) as figures:
        page.clock.run_for(300_000)
    assert figures.value.ok
    # The swapped-in figures have a new canvas, and the dashboard script drew it again.
    expect(page.locator("#ccc-figures")).to_be_visible()
    # Chart.js sizes the canvas when it draws it; a locator wait needs no string evaluated in the page, which
    # the policy (rightly) refuses, where wait_for_function would poll with eval.
    expect(page.locator("#chart-weekly")).to_have_attribute("style", re.compile(r"height"))
    assert page.evaluate("Chart.getChart('chart-weekly') !== undefined")
    assert violations(page) == []
    save_screenshot(page, "csp-ccc-dashboard-refreshed")


def test_the_admin_works_under_the_policy(page: Page) -> None:
    UserFactory(username="sysadmin", is_staff=True, is_superuser=True, totp_device=True)
    sign_in(page, "sysadmin", TEST_PASSWORD)
    open_page(page, "/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    open_page(page, "/admin/auth/user/")
    expect(page.locator("#result_list")).to_be_visible()
    assert violations(page) == []
    save_screenshot(page, "csp-admin")


def test_swagger_ui_shows_the_operations_from_its_pinned_local_copy(signed_in_page: Any) -> None:
    page = signed_in_page("officer")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 10
    expect(page.get_by_text("/api/v1/packages/", exact=True).first).to_be_visible()
    assert violations(page) == []
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requested), requested
    save_screenshot(page, "csp-swagger-ui")


def test_redoc_shows_the_operations_and_only_its_makers_logo_is_refused(browser: Browser, live_server: Any) -> None:
    """Redoc always shows Redocly's logo from cdn.redoc.ly: the policy rightly refuses it, and Redoc works on.

    This test makes its own page because the harness' ``page`` fails on that refusal's console error.
    """
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        UserFactory(username="integrator", is_staff=False)
        sign_in(page, "integrator", TEST_PASSWORD)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        open_page(page, "/api/redoc/")
        expect(page.locator("h1").first).to_have_text("Homecare brokerage API (1)")
        expect(page.get_by_role("heading", name="packages_list").first).to_be_attached()
        page.wait_for_function("window.cspViolations.length > 0")
        assert violations(page) == ["img-src refused https://cdn.redoc.ly/redoc/logo-mini.svg (:0)"]
        assert errors == []
        save_screenshot(page, "csp-redoc")
    finally:
        context.close()
