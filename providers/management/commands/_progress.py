"""A tqdm progress bar on stderr, shared by the providers' management commands."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def progress_bar(*, total: int | None, unit: str, description: str) -> tqdm[Any]:
    # tqdm redraws the line with carriage returns, so it writes to the raw stream, not Django's wrapper.
    return tqdm(total=total, unit=unit, unit_scale=True, file=sys.stderr, desc=description, dynamic_ncols=True)
