"""The contract-monitoring trends panel, for the CCC dashboard (``{% monitoring_trends %}``).

A template tag, so the dashboard (brokerage) shows visits' figures without brokerage importing visits: the
panel reads ``visits.selectors.monitoring_trend``, two queries whatever the number of visits or providers.
"""

from __future__ import annotations

from typing import Any

from django import template

from visits.selectors import monitoring_trend

register = template.Library()


@register.inclusion_tag("visits/ccc/_trends.html")
def monitoring_trends() -> dict[str, Any]:
    weeks, worst = monitoring_trend()
    return {"trend_weeks": weeks, "worst_providers": worst}
