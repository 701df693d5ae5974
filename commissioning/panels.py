"""The CHWS pilot beside time and task, as a compact panel on the officer's reports page."""

from __future__ import annotations

from datetime import date

from brokerage.reporting.panels import ReportPanel
from commissioning import selectors


def pilot_comparison_panel(today: date) -> ReportPanel | None:
    figures = selectors.neighbourhood_comparison(today=today)
    if not figures:
        return None
    return ReportPanel("procurement/_pilot_panel.html", {"figures": figures})
