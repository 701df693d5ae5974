"""Officer-only API for providers and CQC locations (for integrators and the council's own reporting).

Each view: read filters (django-filter), call a selector, serialise. Quality scores and the CQC part
of DPS eligibility come from :mod:`providers.quality` through :func:`provider_cqc_summary`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homecare.accounts.audiences import IsOfficer
from homecare.api_lists import ChangesFilterSet
from providers.models import CqcLocation, CqcRating, LocalityArea, Provider, RegistrationStatus
from providers.quality import Rating
from providers.selectors import (
    NOT_YET_RATED_FILTER,
    ProviderCqcSummary,
    ProviderFilters,
    cqc_locations_matching,
    provider_cqc_summary,
    provider_search,
)


class RatingSerializer(serializers.ModelSerializer[CqcRating]):
    # Plain strings (CQC's wording) rather than six copies of one enum in the schema.
    overall = serializers.CharField(read_only=True)
    safe = serializers.CharField(read_only=True)
    effective = serializers.CharField(read_only=True)
    caring = serializers.CharField(read_only=True)
    responsive = serializers.CharField(read_only=True)
    well_led = serializers.CharField(read_only=True)

    class Meta:
        model = CqcRating
        fields = ["overall", "safe", "effective", "caring", "responsive", "well_led", "report_date", "recorded_at"]


class LocationSerializer(serializers.ModelSerializer[CqcLocation]):
    provider_id = serializers.IntegerField(read_only=True)
    locality_area = serializers.CharField(source="locality_area.name", default=None, read_only=True, allow_null=True)
    current_rating = RatingSerializer(read_only=True)

    class Meta:
        model = CqcLocation
        fields = [
            "location_id",
            "provider_id",
            "name",
            "registration_status",
            "registration_date",
            "deregistration_date",
            "is_dormant",
            "is_homecare_agency",
            "service_types",
            "regulated_activities",
            "specialisms",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "latitude",
            "longitude",
            "local_authority",
            "locality_area",
            "current_rating",
        ]


class LocationDetailSerializer(LocationSerializer):
    rating_history = RatingSerializer(source="ratings", many=True, read_only=True)

    class Meta(LocationSerializer.Meta):
        fields = [*LocationSerializer.Meta.fields, "rating_history"]


class QualityScoreSerializer(serializers.Serializer[Any]):
    points = serializers.IntegerField()
    rated = serializers.BooleanField()
    label = serializers.CharField()  # type: ignore[assignment]  # the score's label, not the field's
    explanation = serializers.CharField()


class OutcomeSerializer(serializers.Serializer[Any]):
    passed = serializers.BooleanField()
    reason = serializers.CharField()


class ProviderSerializer(serializers.ModelSerializer[Provider]):
    quality_score = serializers.SerializerMethodField()
    cqc_dps_eligibility = serializers.SerializerMethodField()
    registered_homecare_locations = serializers.SerializerMethodField()

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "cqc_provider_id",
            "is_demo",
            "registration_status",
            "quality_score",
            "cqc_dps_eligibility",
            "registered_homecare_locations",
        ]

    def _summary(self, provider: Provider) -> ProviderCqcSummary:
        summaries: dict[int, ProviderCqcSummary] = self.context["summaries"]
        return summaries[provider.pk]

    @extend_schema_field(QualityScoreSerializer)
    def get_quality_score(self, provider: Provider) -> dict[str, Any]:
        return dict(QualityScoreSerializer(self._summary(provider).score).data)

    @extend_schema_field(OutcomeSerializer)
    def get_cqc_dps_eligibility(self, provider: Provider) -> dict[str, Any]:
        return dict(OutcomeSerializer(self._summary(provider).eligibility).data)

    def get_registered_homecare_locations(self, provider: Provider) -> list[str]:
        return [location.location_id for location in self._summary(provider).homecare_locations]


class ProviderFilterSet(ChangesFilterSet):
    q = django_filters.CharFilter(method="_noop", label="Provider or location name, CQC ID or postcode")
    rating = django_filters.ChoiceFilter(
        method="_noop",
        choices=[
            *[
                (r.value, r.value)
                for r in (Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)
            ],
            (NOT_YET_RATED_FILTER, "Not yet rated"),
        ],
    )
    area = django_filters.ModelChoiceFilter(method="_noop", queryset=LocalityArea.objects.all())
    registration_status = django_filters.ChoiceFilter(method="_noop", choices=RegistrationStatus.choices)
    service_type = django_filters.CharFilter(method="_noop")
    is_demo = django_filters.BooleanFilter()
    ordering = django_filters.OrderingFilter(fields=["name", "cqc_provider_id", "updated_at", "id"])

    class Meta:
        model = Provider
        fields = ["is_demo"]

    def _noop(self, queryset: QuerySet[Provider], name: str, value: Any) -> QuerySet[Provider]:
        # The location-level filters must apply to the same location together: see filter_queryset.
        return queryset

    def filter_queryset(self, queryset: QuerySet[Provider]) -> QuerySet[Provider]:
        data = self.form.cleaned_data
        area = data.get("area")
        filters = ProviderFilters(
            q=data.get("q") or "",
            rating=data.get("rating") or "",
            area_id=area.pk if area else None,
            registration_status=data.get("registration_status") or "",
            service_type=data.get("service_type") or "",
        )
        filtered: QuerySet[Provider] = super().filter_queryset(queryset)
        return filtered.filter(pk__in=provider_search(filters).values("pk"))


class ProviderList(generics.ListAPIView[Provider]):
    """Providers with their quality score and the CQC part of DPS eligibility. Officers only."""

    permission_classes = [IsOfficer]
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilterSet
    queryset = Provider.objects.order_by("name", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "summaries": provider_cqc_summary([p.pk for p in rows])}
        data = ProviderSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class ProviderDetail(generics.RetrieveAPIView[Provider]):
    permission_classes = [IsOfficer]
    serializer_class = ProviderSerializer
    queryset = Provider.objects.all()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        provider = self.get_object()
        context = {**self.get_serializer_context(), "summaries": provider_cqc_summary([provider.pk])}
        return Response(ProviderSerializer(provider, context=context).data)


class LocationFilterSet(ChangesFilterSet):
    rating = django_filters.CharFilter(method="_by_rating")
    service_type = django_filters.CharFilter(method="_by_service_type")
    postcode = django_filters.CharFilter(field_name="postcode", lookup_expr="istartswith")
    ordering = django_filters.OrderingFilter(fields=["location_id", "name", "postcode", "updated_at"])

    class Meta:
        model = CqcLocation
        fields = ["provider", "registration_status", "is_homecare_agency", "locality_area", "local_authority"]

    def _by_rating(self, queryset: QuerySet[CqcLocation], name: str, value: str) -> QuerySet[CqcLocation]:
        return queryset.filter(pk__in=cqc_locations_matching(ProviderFilters(rating=value)).values("pk"))

    def _by_service_type(self, queryset: QuerySet[CqcLocation], name: str, value: str) -> QuerySet[CqcLocation]:
        return queryset.filter(pk__in=cqc_locations_matching(ProviderFilters(service_type=value)).values("pk"))


class LocationList(generics.ListAPIView[CqcLocation]):
    """CQC locations with their current ratings. Officers only."""

    permission_classes = [IsOfficer]
    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    queryset = CqcLocation.objects.select_related("current_rating", "locality_area").order_by("location_id")


class LocationDetail(generics.RetrieveAPIView[CqcLocation]):
    """One CQC location with its full rating history, newest first."""

    permission_classes = [IsOfficer]
    serializer_class = LocationDetailSerializer
    lookup_field = "location_id"
    queryset = CqcLocation.objects.select_related("current_rating", "locality_area").prefetch_related("ratings")
