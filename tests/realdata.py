"""Access to the real public data in ../shared/data (settings.HOMECARE_DATA_DIR) for tests.

Tests that read it are marked ``@pytest.mark.realdata``. Outside CI a missing folder skips them
with a clear reason; with CI=true a missing folder fails the test, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings


def shared_data_dir() -> Path:
    """The shared data folder, or skip (fail in CI) when it is not there."""
    folder = Path(settings.HOMECARE_DATA_DIR)
    if not folder.is_dir():
        message = f"The real public data folder {folder} is missing (set HOMECARE_DATA_DIR)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI must run the real-data tests.")
        pytest.skip(message)
    return folder


def shared_data_file(*parts: str) -> Path:
    """A file in the shared data folder; a missing file fails, since the folder's contents are fixed."""
    path = shared_data_dir().joinpath(*parts)
    if not path.is_file():
        pytest.fail(f"{path} is missing from the shared data folder.")
    return path
