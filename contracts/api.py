"""Read-only API for agreements, memberships and fee rates (officers and CCC staff)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import generics, serializers

from contracts.models import Agreement, AgreementExtension, FeeRate, Lot, PlacementDeadline, ProviderMembership
from homecare.accounts.audiences import IsOfficerOrCcc
from homecare.api_lists import ChangesFilterSet


class ExtensionOutput(serializers.ModelSerializer[AgreementExtension]):
    class Meta:
        model = AgreementExtension
        fields = ["sequence", "length_months", "taken", "taken_on"]


class LotOutput(serializers.ModelSerializer[Lot]):
    locality_area = serializers.CharField(source="locality_area.name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Lot
        fields = ["id", "number", "name", "locality_area"]


class DeadlineOutput(serializers.ModelSerializer[PlacementDeadline]):
    class Meta:
        model = PlacementDeadline
        fields = ["urgency", "hours", "response_window_hours", "working_hours_only"]


class AgreementOutput(serializers.ModelSerializer[Agreement]):
    effective_end = serializers.DateField(read_only=True)
    extensions = ExtensionOutput(many=True, read_only=True)
    lots = LotOutput(many=True, read_only=True)
    placement_deadlines = DeadlineOutput(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "name",
            "reference",
            "procurement_route",
            "council_name",
            "term_start",
            "term_end",
            "effective_end",
            "indicative_annual_budget",
            "budget_year",
            "allocation_policy",
            "response_window_hours",
            "cascade_offer_timeout_hours",
            "lead_first_refusal_hours",
            "suspension_retainer_days",
            "extensions",
            "lots",
            "placement_deadlines",
        ]


class MembershipOutput(serializers.ModelSerializer[ProviderMembership]):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    lot_number = serializers.IntegerField(source="lot.number", default=None, read_only=True, allow_null=True)

    class Meta:
        model = ProviderMembership
        fields = [
            "id",
            "agreement",
            "provider",
            "provider_name",
            "lot",
            "lot_number",
            "role",
            "status",
            "appointed_on",
            "suspended_on",
            "suspension_reason",
            "exited_on",
            "exit_reason",
        ]


class FeeRateOutput(serializers.ModelSerializer[FeeRate]):
    class Meta:
        model = FeeRate
        fields = ["id", "agreement", "service_type", "hourly_rate", "staff_pay_element", "effective_from", "note"]


class AgreementFilter(ChangesFilterSet):
    ordering = django_filters.OrderingFilter(fields=["term_start", "name", "reference", "updated_at", "id"])

    class Meta:
        model = Agreement
        fields = ["procurement_route", "allocation_policy"]


class MembershipFilter(ChangesFilterSet):
    ordering = django_filters.OrderingFilter(fields=["appointed_on", "status", "updated_at", "id"])

    class Meta:
        model = ProviderMembership
        fields = ["agreement", "provider", "lot", "role", "status"]


class FeeRateFilter(ChangesFilterSet):
    ordering = django_filters.OrderingFilter(fields=["effective_from", "service_type", "updated_at", "id"])

    class Meta:
        model = FeeRate
        fields = ["agreement", "service_type"]


def _agreements() -> QuerySet[Agreement]:
    return Agreement.objects.prefetch_related("extensions", "lots__locality_area", "placement_deadlines").order_by(
        "-term_start"
    )


class AgreementList(generics.ListAPIView[Agreement]):
    permission_classes = [IsOfficerOrCcc]
    serializer_class = AgreementOutput
    queryset = _agreements()
    filterset_class = AgreementFilter


class AgreementDetail(generics.RetrieveAPIView[Agreement]):
    permission_classes = [IsOfficerOrCcc]
    serializer_class = AgreementOutput
    queryset = _agreements()


class MembershipList(generics.ListAPIView[ProviderMembership]):
    permission_classes = [IsOfficerOrCcc]
    serializer_class = MembershipOutput
    queryset = ProviderMembership.objects.select_related("provider", "lot").order_by("agreement", "provider__name")
    filterset_class = MembershipFilter


class FeeRateList(generics.ListAPIView[FeeRate]):
    permission_classes = [IsOfficerOrCcc]
    serializer_class = FeeRateOutput
    queryset = FeeRate.objects.order_by("agreement", "service_type", "effective_from")
    filterset_class = FeeRateFilter
