"""Drill-down links: every figure on the dashboard links to the packages behind it, with the same filters."""

from __future__ import annotations

import functools

from django.urls import reverse

from brokerage.dashboard.filters import DashboardFilters
from brokerage.reporting.tables import Cell


@functools.cache
def _drill_path() -> str:
    return reverse("ccc:brokerage:packages")


def drill(filters: DashboardFilters, figure: str, key: str = "") -> str:
    """The link from a figure to the packages behind it, keeping the dashboard's filters."""
    extra = {"figure": figure}
    if key:
        extra["key"] = key
    return f"{_drill_path()}?{filters.query(**extra)}"


def count_cell(filters: DashboardFilters, value: int, figure: str, key: str = "") -> Cell:
    return Cell(value, href=drill(filters, figure, key) if value else "")
