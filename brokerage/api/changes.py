"""API for case-management and provider systems: vary, suspend, resume, end, hand back, care started.

One view per action: validate the input's shape (a 400 naming each field), then run the one service under
the client's ``Idempotency-Key`` (``brokerage.api.idempotency``), its errors translated once
(``brokerage.api.change_errors``), exactly as the web pages report them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage.api.change_errors import answer
from brokerage.api.idempotency import HEADER, idempotent
from brokerage.changes.selectors import changes_for_package, review_due_on
from brokerage.isa import VisitData
from brokerage.isa_input import DAY_NAMES, VisitInput
from brokerage.models import CarePackage, CarerGender, HandBack, PackageChange, Skill
from brokerage.selectors import package_get_for_officer
from brokerage.services.changes import (
    MAX_RESPONSE_HOURS,
    NOTE_MAX,
    package_change_end,
    package_resume,
    package_suspend,
    package_vary,
    variation_accept,
    variation_decline,
)
from brokerage.services.responses import offer_record_care_started, package_hand_back
from homecare.accounts.audiences import IsOfficer, IsOfficerOrCcc, IsProviderStaff, request_user
from homecare.problems import ProblemOutput

KEY = OpenApiParameter(
    HEADER,
    location=OpenApiParameter.HEADER,
    required=True,
    description="A new key (a UUID) for each action. A retry with the same key and body gets the same answer; "
    "the same key with another body is refused (422).",
)
PROBLEM = OpenApiResponse(ProblemOutput, description="Problem details; nothing was changed.")


def _note(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX, **kwargs)


class ChangeEventOutput(serializers.Serializer[Any]):
    to_status = serializers.CharField()
    changed_at = serializers.DateTimeField()
    actor_label = serializers.CharField()
    reason = serializers.CharField()


class ChangeOutput(serializers.ModelSerializer[PackageChange]):
    package = serializers.IntegerField(source="package_id")
    provider = serializers.IntegerField(source="provider_id", allow_null=True)
    history = ChangeEventOutput(source="status_events", many=True)

    class Meta:
        model = PackageChange
        fields = [
            "id", "package", "kind", "status", "provider", "round_number", "effective_from", "applied_from",
            "expected_return_on", "resumed_on", "reason_code", "note", "pattern", "respond_by",
            "exclude_current_provider", "retainer_days", "created_at", "history",
        ]  # fmt: skip


class PackageStateOutput(serializers.ModelSerializer[CarePackage]):
    awarded_provider = serializers.IntegerField(source="awarded_provider_id", allow_null=True)
    review_on = serializers.SerializerMethodField()

    class Meta:
        model = CarePackage
        fields = ["id", "status", "round_number", "awarded_provider", "care_started_on", "ended_on", "review_on"]

    def get_review_on(self, package: CarePackage) -> str | None:
        due = review_due_on(package)
        return due.isoformat() if due else None


class VaryInput(serializers.Serializer[Any]):
    effective_from = serializers.DateField(help_text="The first day of the new care")
    visits = VisitInput(many=True)
    required_skills = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False, allow_empty=True
    )
    carer_gender = serializers.ChoiceField(choices=CarerGender.choices, required=False)
    special_requirements = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    respond_within_hours = serializers.IntegerField(
        required=False, default=48, min_value=1, max_value=MAX_RESPONSE_HOURS
    )
    exclude_current_provider = serializers.BooleanField(required=False, default=False)
    note = _note()


class SuspendInput(serializers.Serializer[Any]):
    starts_on = serializers.DateField(help_text="The first day without care")
    expected_return_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.ChoiceField(choices=PackageChange.SuspensionReason.choices)
    note = _note()


class ResumeInput(serializers.Serializer[Any]):
    resumed_on = serializers.DateField(help_text="The first day of care again")


class EndInput(serializers.Serializer[Any]):
    ended_on = serializers.DateField(help_text="The last day of care")
    reason = serializers.ChoiceField(choices=PackageChange.EndReason.choices)
    note = _note()


class AnswerInput(serializers.Serializer[Any]):
    note = _note(help_text="Needed to decline: why the new care cannot be delivered")


class HandBackInput(serializers.Serializer[Any]):
    effective_on = serializers.DateField(help_text="The last day you will deliver care")
    reason = serializers.ChoiceField(choices=HandBack.Reason.choices)
    note = _note()


class CareStartedInput(serializers.Serializer[Any]):
    started_on = serializers.DateField()


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _change(change: PackageChange, status: int = 200) -> Response:
    fresh = PackageChange.objects.prefetch_related("status_events").get(pk=change.pk)
    return Response(ChangeOutput(fresh).data, status=status)


def _package(package_id: int) -> Response:
    return Response(PackageStateOutput(CarePackage.objects.get(pk=package_id)).data)


def _schema(operation_id: str, request: type[serializers.Serializer[Any]], output: Any) -> Any:
    return extend_schema(
        operation_id=operation_id,
        request=request,
        parameters=[KEY],
        responses={200: output, 201: output, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
    )


class PackageChangesApi(APIView):
    permission_classes = [IsOfficerOrCcc]

    @extend_schema(operation_id="packages_changes", responses=ChangeOutput(many=True))
    def get(self, request: Request, package_id: int) -> Response:
        """Every change to the package after award, oldest first, each with its status history."""
        package = package_get_for_officer(user=request.user, package_id=package_id)
        return Response(ChangeOutput(changes_for_package(user=request.user, package=package), many=True).data)


class PackageVaryApi(APIView):
    permission_classes = [IsOfficer]

    @_schema("packages_vary", VaryInput, ChangeOutput)
    def post(self, request: Request, package_id: int) -> Response:
        """Propose new care to the current provider; it answers by ``respond_by`` or the package is re-brokered."""
        data = _valid(VaryInput, request)
        visits = [
            VisitData(
                DAY_NAMES.index(v["day_of_week"]),
                v["window_start"],
                v["window_end"],
                v["duration_minutes"],
                v["carers"],
            )
            for v in data.pop("visits")
        ]
        return idempotent(
            request,
            lambda: answer(
                lambda: _change(
                    package_vary(package_id=package_id, requested_by=request_user(request), visits=visits, **data), 201
                )
            ),
        )


class PackageSuspendApi(APIView):
    permission_classes = [IsOfficer]

    @_schema("packages_suspend", SuspendInput, ChangeOutput)
    def post(self, request: Request, package_id: int) -> Response:
        """Suspend care (hospital, respite, holiday); the agreement's retainer days are still paid."""
        data = _valid(SuspendInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _change(package_suspend(package_id=package_id, suspended_by=request_user(request), **data), 201)
            ),
        )


class PackageResumeApi(APIView):
    permission_classes = [IsOfficer]

    @_schema("packages_resume", ResumeInput, ChangeOutput)
    def post(self, request: Request, package_id: int) -> Response:
        data = _valid(ResumeInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _change(package_resume(package_id=package_id, resumed_by=request_user(request), **data))
            ),
        )


class PackageEndApi(APIView):
    permission_classes = [IsOfficer]

    @_schema("packages_end", EndInput, ChangeOutput)
    def post(self, request: Request, package_id: int) -> Response:
        data = _valid(EndInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _change(package_change_end(package_id=package_id, ended_by=request_user(request), **data), 201)
            ),
        )


class VariationAcceptApi(APIView):
    permission_classes = [IsProviderStaff]

    @_schema("changes_accept", AnswerInput, ChangeOutput)
    def post(self, request: Request, change_id: int) -> Response:
        """The current provider accepts a variation put to it."""
        data = _valid(AnswerInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _change(variation_accept(change_id=change_id, provider_user=request_user(request), **data))
            ),
        )


class VariationDeclineApi(APIView):
    permission_classes = [IsProviderStaff]

    @_schema("changes_decline", AnswerInput, ChangeOutput)
    def post(self, request: Request, change_id: int) -> Response:
        """The current provider cannot deliver the new care: the package is re-brokered with it."""
        data = _valid(AnswerInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _change(variation_decline(change_id=change_id, provider_user=request_user(request), **data))
            ),
        )


class OfferHandBackApi(APIView):
    permission_classes = [IsProviderStaff]

    @_schema("offers_hand_back", HandBackInput, PackageStateOutput)
    def post(self, request: Request, offer_id: int) -> Response:
        """Hand an awarded package back with notice; care goes on until ``effective_on``."""
        data = _valid(HandBackInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _package(
                    package_hand_back(offer_id=offer_id, provider_user=request_user(request), **data).package_id
                )
            ),
        )


class OfferCareStartedApi(APIView):
    permission_classes = [IsProviderStaff]

    @_schema("offers_care_started", CareStartedInput, PackageStateOutput)
    def post(self, request: Request, offer_id: int) -> Response:
        """Record the day care started for an offer awarded to you."""
        data = _valid(CareStartedInput, request)
        return idempotent(
            request,
            lambda: answer(
                lambda: _package(
                    offer_record_care_started(offer_id=offer_id, provider_user=request_user(request), **data).pk
                )
            ),
        )
