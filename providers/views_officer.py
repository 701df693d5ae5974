"""Officer pages: the provider list (filters, search, pages) and a provider's CQC detail."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homecare.accounts.audiences import Audience, audience_required
from providers.forms import ProviderFilterForm
from providers.geography import GeoPoint, council_boundary
from providers.models import CqcLocation
from providers.panels import provider_panels_render
from providers.selectors import (
    ProviderFilters,
    location_summary,
    provider_cqc_summary,
    provider_detail,
    provider_search,
)

PAGE_SIZE = 25


@audience_required(Audience.OFFICER)
def provider_list(request: HttpRequest) -> HttpResponse:
    form = ProviderFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else ProviderFilters()
    page = Paginator(provider_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    summaries = provider_cqc_summary([provider.pk for provider in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "providers/provider_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(provider, summaries[provider.pk]) for provider in page.object_list],
            "query_string": query.urlencode(),
        },
    )


@dataclass(frozen=True)
class LocationPlace:
    """Where a location is relative to the council, in words (the page has no map)."""

    inside: bool
    miles_outside: float


def _place(location: CqcLocation) -> LocationPlace | None:
    if location.latitude is None or location.longitude is None:
        return None
    boundary = council_boundary()
    point = GeoPoint(location.latitude, location.longitude)
    return LocationPlace(inside=boundary.contains(point), miles_outside=boundary.distance_miles(point))


@audience_required(Audience.OFFICER)
def provider_detail_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = provider_detail(provider_id=provider_id)
    summary = provider_cqc_summary([provider.pk])[provider.pk]
    locations = [
        (location, location_summary(location), _place(location), list(location.ratings.all()))
        for location in provider.locations.all()
    ]
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "summary": summary,
            "locations": locations,
            "panels": provider_panels_render(request=request, provider=provider),
        },
    )
