"""The API's FilterSets for packages and offers: filters, ``updated_since`` and ``ordering`` in one place."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from brokerage.models import CarePackage, Offer
from contracts.models import Urgency
from homecare.api_lists import ChangesFilterSet


class PackageFilterSet(ChangesFilterSet):
    status = django_filters.ChoiceFilter(choices=CarePackage.Status.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    source_system = django_filters.CharFilter(max_length=50, label="The system the referral came from, e.g. mosaic")
    external_reference = django_filters.CharFilter(max_length=100, label="That system's own reference")
    awarded_provider = django_filters.NumberFilter(field_name="awarded_provider_id", min_value=1, max_value=2**31)
    ordering = django_filters.OrderingFilter(
        fields=["created_at", "submitted_at", "updated_at", "requested_start_on", "awarded_at", "id"]
    )

    class Meta:
        model = CarePackage
        fields: list[str] = []


class OfferFilterSet(ChangesFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open: can still be answered"), *Offer.Status.choices], method="_by_status"
    )
    package = django_filters.NumberFilter(field_name="package_id", min_value=1, max_value=2**31)
    ordering = django_filters.OrderingFilter(fields=["sent_at", "respond_by", "updated_at", "id"])

    class Meta:
        model = Offer
        fields: list[str] = []

    def _by_status(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        if value == "open":
            return queryset.filter(status__in=Offer.OPEN_STATUSES, package__status=CarePackage.Status.BROKERING)
        return queryset.filter(status=value)
