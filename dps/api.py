"""Read-only API for DPS rounds and applications.

Officers and CCC staff read every submitted application; provider staff (tokens included) read only
their own organisation's applications, drafts too.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from rest_framework import generics, serializers

from dps.models import ApplicationDecision, ApplicationStatus, CriterionResult, DpsRound, ProviderApplication
from homecare.accounts.audiences import Audience, IsOfficerOrCcc, IsProviderStaff, is_member
from homecare.api_lists import ChangesFilterSet
from providers.models import CqcLocation
from providers.selectors import provider_for_user


class RoundOutput(serializers.ModelSerializer[DpsRound]):
    class Meta:
        model = DpsRound
        fields = ["id", "agreement", "number", "label", "opens_at", "closes_at", "status", "opened_at", "closed_at"]


class CriterionResultOutput(serializers.ModelSerializer[CriterionResult]):
    class Meta:
        model = CriterionResult
        fields = ["criterion", "title", "passed", "reason", "evidence", "evaluated_at"]


class DecisionOutput(serializers.ModelSerializer[ApplicationDecision]):
    class Meta:
        model = ApplicationDecision
        fields = [
            "outcome",
            "reasons",
            "automatic_passed",
            "is_override",
            "override_justification",
            "decided_at",
            "membership",
        ]


class ApplicationOutput(serializers.ModelSerializer[ProviderApplication]):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    locations: serializers.SlugRelatedField[CqcLocation] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="location_id"
    )
    criterion_results = CriterionResultOutput(many=True, read_only=True)
    decision = DecisionOutput(read_only=True, default=None, allow_null=True)

    class Meta:
        model = ProviderApplication
        fields = [
            "id",
            "dps_round",
            "provider",
            "provider_name",
            "status",
            "locations",
            "declares_contract_compliance",
            "declares_staff_pay_passed_on",
            "declares_fee_rates_accepted",
            "submitted_at",
            "evaluated_at",
            "criterion_results",
            "decision",
        ]


class RoundFilter(ChangesFilterSet):
    ordering = django_filters.OrderingFilter(fields=["opens_at", "closes_at", "updated_at", "id"])

    class Meta:
        model = DpsRound
        fields = ["agreement", "status"]


class ApplicationFilter(ChangesFilterSet):
    ordering = django_filters.OrderingFilter(fields=["submitted_at", "evaluated_at", "updated_at", "id"])

    class Meta:
        model = ProviderApplication
        fields = ["dps_round", "provider", "status"]


class RoundList(generics.ListAPIView[DpsRound]):
    """Rounds are public to every signed-in audience: providers need to know when they can apply."""

    permission_classes = [IsOfficerOrCcc | IsProviderStaff]
    serializer_class = RoundOutput
    queryset = DpsRound.objects.order_by("opens_at")
    filterset_class = RoundFilter


def _visible_applications(request_user: AbstractBaseUser | AnonymousUser) -> QuerySet[ProviderApplication]:
    if not request_user.is_authenticated:
        # Only the schema generator gets here (the permission check refuses anonymous callers first).
        return ProviderApplication.objects.none()
    base = ProviderApplication.objects.select_related("provider", "decision").prefetch_related(
        "locations", "criterion_results"
    )
    if is_member(request_user, Audience.OFFICER) or is_member(request_user, Audience.CCC):
        return base.exclude(status=ApplicationStatus.DRAFT).order_by("dps_round", "provider__name")
    provider = provider_for_user(user=request_user)
    return base.filter(provider=provider).order_by("-dps_round__opens_at")


class ApplicationList(generics.ListAPIView[ProviderApplication]):
    permission_classes = [IsOfficerOrCcc | IsProviderStaff]
    serializer_class = ApplicationOutput
    filterset_class = ApplicationFilter

    def get_queryset(self) -> QuerySet[ProviderApplication]:
        if getattr(self, "swagger_fake_view", False):  # the schema reads the model; there is no person yet
            return ProviderApplication.objects.none()
        return _visible_applications(self.request.user)


class ApplicationDetail(generics.RetrieveAPIView[ProviderApplication]):
    permission_classes = [IsOfficerOrCcc | IsProviderStaff]
    serializer_class = ApplicationOutput

    def get_queryset(self) -> QuerySet[ProviderApplication]:
        return _visible_applications(self.request.user)
