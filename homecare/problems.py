"""One error format for the whole API: RFC 9457 problem details (``application/problem+json``).

Every 4xx and 5xx of ``/api/`` has this body, whoever raised it (a view, DRF, Django, the request boundary)::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "person.postcode: We cannot find the postcode LS99 9ZZ.",
     "errors": [{"code": "invalid", "detail": "We cannot find the postcode LS99 9ZZ.", "attr": "person.postcode"}]}

``errors`` lists every problem; ``attr`` is the field's path in the request (``visits.0.window_end``,
``start_on``, a query parameter's name) or null for the request as a whole. Some problems add members
(``package`` on a 409, ``limit_bytes`` on a 413). drf-standardized-errors turns DRF's exceptions into the
list (``ProblemFormatter``); ``ProblemAutoSchema`` documents the format on every operation and status.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import HttpResponse, JsonResponse
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.types import ErrorResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response

PROBLEM_JSON = "application/problem+json"


def problem_body(
    status: int, detail: str, *, errors: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": errors
        if errors is not None
        else [{"code": HTTPStatus(status).name.lower(), "detail": detail, "attr": None}],
        **(extra or {}),
    }


def problem_response(
    status: int, detail: str, *, errors: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None
) -> HttpResponse:
    """A problem details response outside DRF (middleware, Django's own errors)."""
    return JsonResponse(
        problem_body(status, detail, errors=errors, extra=extra), status=status, content_type=PROBLEM_JSON
    )


class ProblemFormatter(ExceptionFormatter):
    def format_error_response(self, error_response: ErrorResponse) -> Any:
        found = error_response.errors
        errors = [{"code": e.code, "detail": e.detail, "attr": e.attr} for e in found]
        if isinstance(self.exc, exceptions.ValidationError):
            detail = "; ".join(f"{e.attr}: {e.detail}" if e.attr else e.detail for e in found)
        else:
            detail = found[0].detail if found else HTTPStatus(self.exc.status_code).phrase
        return problem_body(self.exc.status_code, detail, errors=errors)


class ProblemExceptionHandler(ExceptionHandler):
    def get_response(self, exc: exceptions.APIException, data: dict[str, Any]) -> Response:
        response = super().get_response(exc, data)
        response.content_type = PROBLEM_JSON
        return response


class FieldErrorOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="A short machine-readable code, e.g. required, invalid, max_length")
    detail = serializers.CharField(help_text="What is wrong, in words for a person")
    attr = serializers.CharField(
        allow_null=True, help_text="The field's path in the request (person.postcode, visits.0.window_end), or null"
    )


class ProblemOutput(serializers.Serializer[Any]):
    """RFC 9457 problem details, with every problem in ``errors``."""

    type = serializers.CharField(help_text="about:blank: the status code says what kind of problem it is")
    title = serializers.CharField(help_text="The HTTP status phrase")
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorOutput(many=True)  # type: ignore[assignment]  # the body's member, not Serializer.errors


class ProblemAutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors decides which error statuses each operation can return; every one, and any an
    operation declares itself, is documented as problem details."""

    def _get_error_response_serializer(self, status_code: str) -> Any:
        return ProblemOutput

    def _get_response_for_code(
        self, serializer: Any, status_code: str, media_types: Any = None, direction: Any = "response"
    ) -> Any:
        if str(status_code).startswith(("4", "5")):
            media_types = [PROBLEM_JSON]
            serializer = serializer or ProblemOutput
        return SpectacularAutoSchema._get_response_for_code(  # type: ignore[no-untyped-call]
            self, serializer, status_code, media_types, direction
        )
