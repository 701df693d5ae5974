"""The brokerage panel on a provider's page for officers (registered in ``BrokerageConfig.ready``)."""

from __future__ import annotations

from brokerage.selectors_providers import (
    PERFORMANCE_PERIOD,
    provider_contract,
    provider_current_packages,
    provider_performance,
)
from providers.models import Provider
from providers.panels import ProviderPanel


def provider_work_panel(provider: Provider) -> ProviderPanel:
    packages, package_count = provider_current_packages(provider=provider)
    return ProviderPanel(
        template_name="brokerage/_provider_panel.html",
        context={
            "contract": provider_contract(provider=provider),
            "current_packages": packages,
            "package_count": package_count,
            "performance": provider_performance(provider=provider),
            "performance_days": PERFORMANCE_PERIOD.days,
        },
    )
