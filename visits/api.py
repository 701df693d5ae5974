"""The API for provider systems: batches of actual visits, idempotent on the provider's own visit id.

``POST /api/visits/actuals/`` with ``{"visits": [...]}``: every visit is read exactly as a row of the ECM file
(``visits.ecm_format.read_values``), the batch is saved whole or not at all, and sending it again changes
nothing (a visit id already received with the same values is left alone; with other values it is corrected).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from homecare.accounts.audiences import IsProviderStaff, request_user
from homecare.problems import ProblemOutput
from providers.selectors import provider_for_user
from visits.ecm_format import EcmRow, read_values
from visits.models import ActualVisitSource
from visits.pseudonyms import pseudonymiser
from visits.services.actuals import ActualVisitsRefused, actual_visits_save

MAX_BATCH = 5000


class ActualVisitInput(serializers.Serializer[Any]):
    visit_id = serializers.CharField(max_length=64)
    package_reference = serializers.CharField(max_length=20)
    planned_start = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    check_in = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True, default="")
    check_out = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True, default="")
    carers = serializers.IntegerField(min_value=1, max_value=4, default=1)
    carer_ids = serializers.ListField(child=serializers.CharField(max_length=64), max_length=4, default=list)
    method = serializers.CharField(max_length=10, required=False, allow_blank=True, default="app")
    exception_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ActualVisitBatchInput(serializers.Serializer[Any]):
    visits = serializers.ListField(child=ActualVisitInput(), allow_empty=False, max_length=MAX_BATCH)


class ActualVisitBatchOutput(serializers.Serializer[Any]):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ActualVisitBatchApi(APIView):
    permission_classes = [IsProviderStaff]

    @extend_schema(
        operation_id="actual_visits_batch",
        request=ActualVisitBatchInput,
        responses={
            200: ActualVisitBatchOutput,
            400: OpenApiResponse(ProblemOutput, description="Errors by visit (visits.<index>); nothing was saved."),
        },
    )
    def post(self, request: Request) -> Response:
        batch = ActualVisitBatchInput(data=request.data)
        batch.is_valid(raise_exception=True)
        base = pseudonymiser()
        rows: list[EcmRow] = []
        errors: dict[str, list[str]] = {}
        seen: set[str] = set()
        for index, visit in enumerate(batch.validated_data["visits"]):
            values = {key: "" if value is None else str(value) for key, value in visit.items() if key != "carer_ids"}
            values["carer_ids"] = ";".join(visit["carer_ids"])
            row, problems = read_values(values, line=index, base=base)
            if row is not None and row.visit_id in seen:
                problems.append(f"Visit id {row.visit_id} appears twice in the batch.")
            if problems or row is None:
                errors[f"visits.{index}"] = problems
            else:
                seen.add(row.visit_id)
                rows.append(row)
        if errors:
            raise ValidationError(errors)
        user = request_user(request)
        try:
            received = actual_visits_save(
                provider=provider_for_user(user=user), rows=rows, source=ActualVisitSource.API, received_by=user
            )
        except ActualVisitsRefused as refused:
            raise ValidationError({f"visits.{error.line}": list(error.messages) for error in refused.errors}) from None
        output = {
            "received": received.rows,
            "created": received.created,
            "updated": received.updated,
            "unchanged": received.unchanged,
        }
        return Response(ActualVisitBatchOutput(output).data, status=status.HTTP_200_OK)
