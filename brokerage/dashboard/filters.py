"""The dashboard's filters (period, area, agreement): a GET form, so every view can be bookmarked and shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.db.models import Q
from django.utils import timezone

from contracts.models import Agreement
from providers.models import LocalityArea

PERIODS: dict[str, tuple[str, int | None]] = {
    "7": ("Last 7 days", 7),
    "28": ("Last 4 weeks", 28),
    "91": ("Last 13 weeks", 91),
    "182": ("Last 26 weeks", 182),
    "365": ("Last 12 months", 365),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "91"


@dataclass(frozen=True)
class DashboardFilters:
    """What the figures are about. ``start`` None means all time; ``now`` is the end of every period."""

    period: str
    now: datetime
    area_id: int | None = None
    agreement_id: int | None = None

    @property
    def start(self) -> datetime | None:
        days = PERIODS[self.period][1]
        return None if days is None else self.now - timedelta(days=days)

    @property
    def period_label(self) -> str:
        return PERIODS[self.period][0]

    def scope(self, prefix: str = "") -> Q:
        """Packages in the chosen area and agreement; ``prefix`` reaches them from a related model."""
        q = Q()
        if self.area_id is not None:
            q &= Q(**{f"{prefix}locality_area_id": self.area_id})
        if self.agreement_id is not None:
            q &= Q(**{f"{prefix}agreement_id": self.agreement_id})
        return q

    def within(self, field: str) -> Q:
        """``field`` falls in the period (from its start up to now)."""
        q = Q(**{f"{field}__lte": self.now})
        if self.start is not None:
            q &= Q(**{f"{field}__gte": self.start})
        return q

    def query(self, **extra: str) -> str:
        """The filters (plus ``extra``) as a query string, so drill-down links keep them."""
        params: dict[str, str] = {"period": self.period}
        if self.area_id is not None:
            params["area"] = str(self.area_id)
        if self.agreement_id is not None:
            params["agreement"] = str(self.agreement_id)
        params.update(extra)
        return urlencode(params)


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(
        label="Period", required=False, choices=[(key, label) for key, (label, _) in PERIODS.items()]
    )
    area = forms.ModelChoiceField(
        label="Locality area",
        required=False,
        queryset=LocalityArea.objects.order_by("display_order", "name"),
        empty_label="All areas",
    )
    agreement = forms.ModelChoiceField(
        label="Agreement", required=False, queryset=Agreement.objects.order_by("name"), empty_label="All agreements"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.select("period"), Field.select("area"), Field.select("agreement"), Button.primary("apply", "Apply")
        )

    def filters(self, *, now: datetime | None = None) -> DashboardFilters:
        """The chosen filters; an invalid choice falls back to its default (the form shows the error)."""
        data = self.cleaned_data if self.is_valid() else {}
        area = data.get("area")
        agreement = data.get("agreement")
        period = data.get("period") or DEFAULT_PERIOD
        return DashboardFilters(
            period=period,
            now=now or timezone.now(),
            area_id=area.pk if area is not None else None,
            agreement_id=agreement.pk if agreement is not None else None,
        )
