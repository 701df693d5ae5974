"""Report panels: sections other apps add to the officer's reports page, without brokerage importing them.

As ``contracts.panels`` does for agreements: an app registers a source in its ``AppConfig.ready`` with
:func:`report_panel_register`; a source takes today's date and returns the template to render and its context,
or None when it has nothing to show. ``commissioning`` adds the CHWS pilot beside time and task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class ReportPanel:
    template_name: str
    context: Mapping[str, Any]


ReportPanelSource = Callable[[date], ReportPanel | None]

_sources: list[ReportPanelSource] = []


def report_panel_register(source: ReportPanelSource) -> None:
    """Add a panel to the reports page (idempotent, so a repeated ``ready()`` adds it once)."""
    if source not in _sources:
        _sources.append(source)


def report_panels_render(*, request: HttpRequest, today: date) -> list[SafeString]:
    rendered: list[SafeString] = []
    for source in _sources:
        panel = source(today)
        if panel is not None:
            rendered.append(render_to_string(panel.template_name, dict(panel.context), request))
    return rendered
