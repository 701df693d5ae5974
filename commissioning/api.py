"""Read-only API for commissioning work. Officers only: bids, scores and funding are the council's business.

Independent scores are never served: the API shows the moderated result once the tender reaches standstill.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commissioning import selectors
from commissioning.models import (
    AreaAllocation,
    Bid,
    DebarmentEntry,
    DynamicMarket,
    Evaluator,
    FundingModel,
    HoursBank,
    HoursBankWeek,
    MarketApplication,
    MarketCheck,
    MarketNotice,
    Referral,
    ReferralOutcome,
    Tender,
    TenderLot,
    TenderQuestion,
    TenderStatus,
    Timetable,
    TimetableTask,
)
from homecare.accounts.audiences import IsOfficer

RESULT_STATUSES = (TenderStatus.STANDSTILL, TenderStatus.AWARDED)


class TenderQuestionOutput(serializers.ModelSerializer[TenderQuestion]):
    class Meta:
        model = TenderQuestion
        fields = ["number", "text", "weight", "minimum_score", "is_social_value"]


class TenderBidOutput(serializers.ModelSerializer[Bid]):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "provider",
            "provider_name",
            "price",
            "quality_points",
            "social_value_points",
            "price_points",
            "total_points",
            "compliant",
            "failures",
            "rank",
            "recommended_role",
            "membership",
        ]


class TenderLotOutput(serializers.ModelSerializer[TenderLot]):
    bids = serializers.SerializerMethodField()

    class Meta:
        model = TenderLot
        fields = ["number", "name", "contract_lot", "lead_places", "additional_places", "bids"]

    def get_bids(self, lot: TenderLot) -> list[dict[str, Any]]:
        if lot.tender.status not in RESULT_STATUSES:
            return []  # before standstill the result is not settled
        return list(TenderBidOutput(lot.bids.select_related("provider").order_by("rank"), many=True).data)


class EvaluatorOutput(serializers.ModelSerializer[Evaluator]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Evaluator
        fields = ["username", "organisation", "declared_at"]


class TenderOutput(serializers.ModelSerializer[Tender]):
    questions = TenderQuestionOutput(many=True, read_only=True)
    lots = TenderLotOutput(many=True, read_only=True)
    panel = EvaluatorOutput(source="evaluators", many=True, read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "reference",
            "title",
            "agreement",
            "status",
            "quality_weight",
            "price_weight",
            "social_value_weight",
            "social_value_mode",
            "evaluation_method",
            "scale_max",
            "scale_descriptors",
            "minimum_quality_percent",
            "divergence_threshold",
            "price_formula",
            "standstill_starts_on",
            "standstill_ends_on",
            "awarded_at",
            "questions",
            "lots",
            "panel",
        ]


# --- Filters: every list filters and orders through a FilterSet, like the other apps' lists. These rows keep
# no ``updated_at``, so they page by number only (``homecare.api_lists`` refuses a cursor for them).


class TenderFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["created_at", "reference", "status", "id"])

    class Meta:
        model = Tender
        fields = ["agreement", "status", "evaluation_method"]


class TimetableFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["created_at", "name", "id"])

    class Meta:
        model = Timetable
        fields = ["agreement", "template_code", "reconstructed"]


class MarketFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["created_at", "id"])

    class Meta:
        model = DynamicMarket
        fields = ["agreement"]


class MarketApplicationFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["submitted_at", "assess_by", "status", "id"])

    class Meta:
        model = MarketApplication
        fields = ["market", "provider", "status", "outcome"]


class DebarmentEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="supplier_name", lookup_expr="icontains", label="Supplier name contains")
    ordering = django_filters.OrderingFilter(fields=["supplier_name", "entered_on", "id"])

    class Meta:
        model = DebarmentEntry
        fields = ["companies_house_number", "mandatory", "ground"]


class FundingModelFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["name", "budget_year", "id"])

    class Meta:
        model = FundingModel
        fields = ["budget_year"]


class HoursBankFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["team_name", "starts_on", "id"])

    class Meta:
        model = HoursBank
        fields = ["area", "provider", "is_pilot"]


class ReferralFilter(django_filters.FilterSet):
    ordering = django_filters.OrderingFilter(fields=["referred_on", "started_on", "id"])

    class Meta:
        model = Referral
        fields = ["bank", "person_reference"]


class TenderList(generics.ListAPIView[Tender]):
    permission_classes = [IsOfficer]
    serializer_class = TenderOutput
    filterset_class = TenderFilter
    queryset = Tender.objects.prefetch_related("questions", "lots", "evaluators__user").order_by("-created_at")


class TenderDetail(generics.RetrieveAPIView[Tender]):
    permission_classes = [IsOfficer]
    serializer_class = TenderOutput
    queryset = Tender.objects.prefetch_related("questions", "lots", "evaluators__user")


class TimetableTaskOutput(serializers.ModelSerializer[TimetableTask]):
    stage = serializers.CharField(source="stage.name", read_only=True)
    depends_on = serializers.SerializerMethodField()
    slippage_days = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = TimetableTask
        fields = [
            "number",
            "stage",
            "name",
            "responsible",
            "is_milestone",
            "status",
            "original_wording",
            "planned_wording",
            "planned_start",
            "planned_end",
            "baseline_wording",
            "baseline_start",
            "baseline_end",
            "slippage_days",
            "depends_on",
        ]

    def get_depends_on(self, task: TimetableTask) -> list[int]:
        return [dependency.depends_on.number for dependency in task.dependencies.all()]


class TimetableOutput(serializers.ModelSerializer[Timetable]):
    class Meta:
        model = Timetable
        fields = ["id", "name", "version", "template_code", "reconstructed", "agreement", "baselined_at"]


class TimetableDetailOutput(TimetableOutput):
    tasks = serializers.SerializerMethodField()

    class Meta(TimetableOutput.Meta):
        fields = [*TimetableOutput.Meta.fields, "tasks"]

    def get_tasks(self, timetable: Timetable) -> list[dict[str, Any]]:
        return list(TimetableTaskOutput(selectors.timetable_tasks(timetable=timetable), many=True).data)


class TimetableList(generics.ListAPIView[Timetable]):
    permission_classes = [IsOfficer]
    serializer_class = TimetableOutput
    filterset_class = TimetableFilter
    queryset = Timetable.objects.order_by("name")


class TimetableDetail(generics.RetrieveAPIView[Timetable]):
    permission_classes = [IsOfficer]
    serializer_class = TimetableDetailOutput
    queryset = Timetable.objects.all()


class MarketNoticeOutput(serializers.ModelSerializer[MarketNotice]):
    class Meta:
        model = MarketNotice
        fields = ["kind", "published_on", "reference", "summary"]


class MarketOutput(serializers.ModelSerializer[DynamicMarket]):
    notices = MarketNoticeOutput(many=True, read_only=True)
    procurement_route = serializers.CharField(source="agreement.procurement_route", read_only=True)

    class Meta:
        model = DynamicMarket
        fields = ["id", "agreement", "procurement_route", "assessment_days", "conditions_summary", "notices"]


class MarketCheckOutput(serializers.ModelSerializer[MarketCheck]):
    class Meta:
        model = MarketCheck
        fields = ["kind", "criterion", "title", "passed", "reason", "evidence", "evaluated_at"]


class MarketApplicationOutput(serializers.ModelSerializer[MarketApplication]):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    checks = MarketCheckOutput(many=True, read_only=True)

    class Meta:
        model = MarketApplication
        fields = [
            "id",
            "market",
            "provider",
            "provider_name",
            "status",
            "submitted_at",
            "assess_by",
            "evaluated_at",
            "outcome",
            "reasons",
            "is_override",
            "override_justification",
            "decided_at",
            "membership",
            "checks",
        ]


class MarketList(generics.ListAPIView[DynamicMarket]):
    permission_classes = [IsOfficer]
    serializer_class = MarketOutput
    filterset_class = MarketFilter
    queryset = DynamicMarket.objects.prefetch_related("notices").select_related("agreement").order_by("pk")


class MarketApplicationList(generics.ListAPIView[MarketApplication]):
    permission_classes = [IsOfficer]
    serializer_class = MarketApplicationOutput
    filterset_class = MarketApplicationFilter
    queryset = MarketApplication.objects.select_related("provider").prefetch_related("checks").order_by("-submitted_at")


class DebarmentEntryOutput(serializers.ModelSerializer[DebarmentEntry]):
    class Meta:
        model = DebarmentEntry
        fields = [
            "id",
            "supplier_name",
            "companies_house_number",
            "ground",
            "mandatory",
            "entered_on",
            "ends_on",
            "source",
        ]


class DebarmentEntryList(generics.ListAPIView[DebarmentEntry]):
    permission_classes = [IsOfficer]
    serializer_class = DebarmentEntryOutput
    filterset_class = DebarmentEntryFilter
    queryset = DebarmentEntry.objects.order_by("supplier_name", "pk")


class AreaAllocationOutput(serializers.ModelSerializer[AreaAllocation]):
    area = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = AreaAllocation
        fields = ["area", "formula_share", "amount", "current", "floor", "held_at_floor"]


class FundingModelOutput(serializers.ModelSerializer[FundingModel]):
    allocations = AreaAllocationOutput(many=True, read_only=True)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = FundingModel
        fields = ["id", "name", "budget_year", "budget", "floor_percent", "calculated_at", "indicators", "allocations"]

    def get_indicators(self, model: FundingModel) -> list[dict[str, Any]]:
        return [
            {
                "key": i.key,
                "name": i.name,
                "weight": str(i.weight),
                "source": i.source,
                "values": {v.area.code: str(v.value) for v in i.values.all()},
            }
            for i in model.indicators.all()
        ]


class FundingModelList(generics.ListAPIView[FundingModel]):
    permission_classes = [IsOfficer]
    serializer_class = FundingModelOutput
    filterset_class = FundingModelFilter
    queryset = FundingModel.objects.prefetch_related("allocations__area", "indicators__values__area").order_by("name")


class HoursBankWeekOutput(serializers.ModelSerializer[HoursBankWeek]):
    class Meta:
        model = HoursBankWeek
        fields = ["week_starting", "hours_available", "hours_used"]


class HoursBankOutput(serializers.ModelSerializer[HoursBank]):
    area = serializers.CharField(source="area.code", read_only=True)
    weeks = HoursBankWeekOutput(many=True, read_only=True)

    class Meta:
        model = HoursBank
        fields = ["id", "area", "team_name", "provider", "weekly_hours", "starts_on", "is_pilot", "weeks"]


class HoursBankList(generics.ListAPIView[HoursBank]):
    permission_classes = [IsOfficer]
    serializer_class = HoursBankOutput
    filterset_class = HoursBankFilter

    def get_queryset(self) -> QuerySet[HoursBank]:
        return selectors.hours_banks().prefetch_related("weeks")


class AreaFiguresOutput(serializers.Serializer[selectors.AreaFigures]):
    area = serializers.CharField()
    care_model = serializers.CharField()
    weekly_hours = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    hours_use_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    outcomes_agreed = serializers.IntegerField(allow_null=True)
    outcomes_achieved = serializers.IntegerField(allow_null=True)
    outcomes_achieved_percent = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    median_days_to_start = serializers.FloatField(allow_null=True)
    median_hourly_pay = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    real_living_wage = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    staff_turnover_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    carers_survey_score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class NeighbourhoodComparison(APIView):
    """The pilot areas' figures beside the time-and-task areas' (as on the officers' page)."""

    permission_classes = [IsOfficer]

    @extend_schema(responses=AreaFiguresOutput(many=True))
    def get(self, request: Request) -> Response:
        figures = selectors.neighbourhood_comparison(today=timezone.localdate())
        return Response(AreaFiguresOutput(figures, many=True).data)  # type: ignore[arg-type]


class ReferralOutcomeOutput(serializers.ModelSerializer[ReferralOutcome]):
    class Meta:
        model = ReferralOutcome
        fields = ["id", "description", "agreed_on", "status"]


class ReferralOutput(serializers.ModelSerializer[Referral]):
    team = serializers.CharField(source="bank.team_name", read_only=True)
    outcomes = ReferralOutcomeOutput(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "bank",
            "team",
            "person_reference",
            "referred_on",
            "referred_by",
            "started_on",
            "closed_on",
            "outcomes",
        ]


class ReferralList(generics.ListAPIView[Referral]):
    """Neighbourhood referrals with their agreed outcomes, newest first."""

    permission_classes = [IsOfficer]
    serializer_class = ReferralOutput
    filterset_class = ReferralFilter
    queryset = Referral.objects.select_related("bank").prefetch_related("outcomes").order_by("-referred_on", "pk")
