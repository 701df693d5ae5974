"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

A pytest plugin, registered for the whole suite in tests/conftest.py, so any test module may ask
for these fixtures by name (do not import the fixtures; import only the helper functions):

* ``page``: a fresh Chromium page whose ``base_url`` is the live server; the test fails if the
  page logs a console error or throws an uncaught exception.
* ``signed_in_page(persona)``: a ``page`` already signed in as one of the personas from
  ``tests/conftest.py`` ("officer", "ccc_user", "provider_user", "other_provider_user"), e.g.::

      def test_officer_sees_providers(signed_in_page):
          page = signed_in_page("officer")
          page.goto("/commissioning/providers/")

* ``sign_in(page, username, password)``: signs in through the real sign-in form, and where the
  person has an authenticator (django-otp TOTP device), types its current code on the second page.
* ``follow_link(link)``: clicks a link's locator and returns once the page it points to has loaded.
* ``save_screenshot(page, name)``: writes test-artifacts/<name>.png (gitignored).
* ``assert_no_serious_accessibility_violations(page)``: axe-core (bundled with
  axe-playwright-python) must report no serious or critical violations.

Tests in tests/browser/ are marked ``browser`` and get a transactional database automatically;
a browser test elsewhere needs ``pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]``
(the live server answers from another thread and must see committed rows). One Chromium serves
each test module. It comes from Debian (``/usr/bin/chromium``, or ``CHROMIUM_PATH``);
``playwright install`` is not needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, ConsoleMessage, Error, Locator, Page, Playwright, sync_playwright

from tests.factories import current_totp_code, sign_in_fully

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"
PERSONAS = ("officer", "ccc_user", "provider_user", "other_provider_user")


class _SharedChromium:
    """One Playwright and one Chromium for each test module that asks for ``browser``, stopped at its end.

    Playwright's sync API allows a single instance per thread, and while it is started it keeps an event
    loop running in this thread: Django's test client then refuses async views (the health page) and its
    ORM guard must be lifted. So it is stopped once a module's browser tests are done, before the next
    module's tests run in this process (under pytest-xdist those may be any tests at all).
    """

    def __init__(self) -> None:
        self.users = 0
        self.playwright: Playwright | None = None
        self.chromium: Browser | None = None
        self.async_unsafe: str | None = None

    def acquire(self) -> Browser:
        if self.chromium is None:
            # Django would otherwise refuse the ORM calls that tests and fixtures make beside the loop.
            self.async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self.playwright = sync_playwright().start()
            self.chromium = self.playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
            )
        self.users += 1
        return self.chromium

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.playwright is not None and self.chromium is not None:
            self.chromium.close()
            self.playwright.stop()
            self.playwright = self.chromium = None
            if self.async_unsafe is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self.async_unsafe


_SHARED = _SharedChromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH} (scripts/test.sh installs it; or set CHROMIUM_PATH)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    chromium = _SHARED.acquire()
    try:
        yield chromium
    finally:
        _SHARED.release()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") == new_page.url:
            return  # the page itself answered 403/404 on purpose; a missing stylesheet still fails
        problems.append(f"console error on {new_page.url}: {message.text} ({message.location.get('url')})")

    def on_page_error(error: Error) -> None:
        problems.append(f"uncaught exception on {new_page.url}: {error}")

    new_page.on("console", on_console)
    new_page.on("pageerror", on_page_error)
    try:
        yield new_page
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the real sign-in form, as a person would, with the app's code if it is asked for."""
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if urlparse(page.url).path == "/accounts/sign-in/code/":
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("Code from your authenticator app").fill(current_totp_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


@pytest.fixture
def signed_in_page(page: Page, request: pytest.FixtureRequest, live_server: Any) -> Callable[[str], Page]:
    """``signed_in_page("officer")``: the ``page``, signed in as that persona (by session cookie, fast)."""

    def _sign_in_as(persona: str) -> Page:
        if persona not in PERSONAS:
            raise ValueError(f"Unknown persona {persona!r}; choose one of {PERSONAS}")
        user: User = request.getfixturevalue(persona)
        client = sign_in_fully(Client(), user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return _sign_in_as


def follow_link(link: Locator) -> None:
    """Click the link and return once the page it points to has loaded.

    A click returns as soon as the navigation starts. Locators wait for the new page, but axe-core
    reads the document once, and mid-navigation there may be no document to read.
    """
    page = link.page
    href = link.get_attribute("href")
    if not href:
        raise AssertionError(f"{link} on {page.url} has no href")
    target = urljoin(page.url, href)
    link.click()
    page.wait_for_url(lambda url: url == target)  # compared as it is: a string would be read as a glob


def save_screenshot(page: Page, name: str) -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_serious_accessibility_violations(page: Page) -> None:
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    details = [f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}" for v in serious]
    assert not serious, f"axe-core on {page.url}:\n" + "\n".join(details)
