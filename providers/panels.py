"""Provider panels: sections other apps add to a provider's page for officers, without providers importing them.

As ``contracts.panels`` does for agreements: an app registers a source in its ``AppConfig.ready`` with
:func:`provider_panel_register`; a source takes the provider and returns the template to render and its
context. The page renders each panel after the CQC summary. ``brokerage`` adds the provider's memberships,
current packages and response performance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from providers.models import Provider


@dataclass(frozen=True)
class ProviderPanel:
    template_name: str
    context: Mapping[str, Any]


ProviderPanelSource = Callable[[Provider], ProviderPanel]

_sources: list[ProviderPanelSource] = []


def provider_panel_register(source: ProviderPanelSource) -> None:
    """Add a panel to every provider's page (idempotent, so a repeated ``ready()`` adds it once)."""
    if source not in _sources:
        _sources.append(source)


def provider_panels_render(*, request: HttpRequest, provider: Provider) -> list[SafeString]:
    """Each registered panel rendered for this provider."""
    return [
        render_to_string(panel.template_name, {"provider": provider, **panel.context}, request)
        for panel in (source(provider) for source in _sources)
    ]
