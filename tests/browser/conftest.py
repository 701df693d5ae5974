"""Tests in this folder drive a real browser: mark them, and give them a transactional database.

The fixtures (``page``, ``signed_in_page``, ``browser``) and helpers live in tests/browser/harness.py,
a plugin registered for the whole suite in tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Re-exported for modules written against the first version of the harness.
from tests.browser.harness import (
    assert_no_serious_accessibility_violations,
    browser,
    page,
    save_screenshot,
    sign_in,
    signed_in_page,
)

__all__ = [
    "assert_no_serious_accessibility_violations",
    "browser",
    "page",
    "save_screenshot",
    "sign_in",
    "signed_in_page",
]

BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))
