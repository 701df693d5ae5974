"""Agreement panels: sections that other apps add to an agreement's page, without contracts importing them.

An app registers a panel source in its ``AppConfig.ready`` with :func:`agreement_panel_register`. A source
takes the agreement and returns the template to render and its context; the page renders every registered
panel, in the order the apps are installed, after its own sections. ``dps`` adds the agreement's DPS rounds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from contracts.models import Agreement


@dataclass(frozen=True)
class AgreementPanel:
    template_name: str
    context: Mapping[str, Any]


AgreementPanelSource = Callable[[Agreement], AgreementPanel]

_sources: list[AgreementPanelSource] = []


def agreement_panel_register(source: AgreementPanelSource) -> None:
    """Add a panel to every agreement's page (idempotent, so a repeated ``ready()`` adds it once)."""
    if source not in _sources:
        _sources.append(source)


def agreement_panels_render(*, request: HttpRequest, agreement: Agreement) -> list[SafeString]:
    """Each registered panel rendered for this agreement (with the request, so its forms carry a CSRF token)."""
    rendered: list[SafeString] = []
    for source in _sources:
        panel = source(agreement)
        rendered.append(render_to_string(panel.template_name, {"agreement": agreement, **panel.context}, request))
    return rendered
