"""One way every API list filters, orders and pages, so polling clients and people read them alike.

- Filters are django-filter FilterSets built on :class:`ChangesFilterSet`, which adds ``updated_since`` (an
  ISO 8601 time: rows changed at or after it) and whose subclasses declare an ``ordering`` OrderingFilter.
- :class:`ListPagination` pages by number (``page``, ``page_size`` up to ``MAX_PAGE_SIZE``) for people, and
  switches to a keyset cursor for polling clients as soon as ``updated_since`` or ``cursor`` is given: rows
  come in the order they changed (``updated_at``, then id) and every page returns a ``cursor`` to resume from.
  A row changed while a client pages moves behind the cursor, so the client sees that change on a later page:
  each version of a row is seen once, and the newest version of every row is always seen.
- Rows changed in the last ``HOMECARE_API_POLL_SETTLE_SECONDS`` are held back from cursor pages: a
  transaction that stamped its rows a moment ago may not have committed yet, and a cursor already past its
  stamp would miss them for good.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import django_filters
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
POLLING_PARAMETERS = ("updated_since", "cursor")

M = TypeVar("M", bound=models.Model)


# Real UTC offsets run from -12:00 to +14:00; ISO 8601 allows up to 23:59, PostgreSQL only 15:59.
MAX_UTC_OFFSET = timedelta(hours=14)


def as_utc(moment: datetime, *, field: str) -> datetime:
    """``moment`` in UTC, or a 400 naming ``field`` when its offset is not a real one or it leaves the calendar."""
    offset = moment.utcoffset()
    if offset is None or abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError({field: ["Give the time with a UTC offset between -14:00 and +14:00, or Z."]})
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise ValidationError({field: ["That time is outside the calendar this service keeps."]}) from error


class ChangedSinceFilter(django_filters.IsoDateTimeFilter):
    """Rows changed at or after an ISO 8601 time, compared in UTC (the database never sees a foreign offset)."""

    def filter(self, qs: QuerySet[Any], value: datetime | None) -> QuerySet[Any]:
        if value is not None:
            value = as_utc(value, field="updated_since")
        filtered: QuerySet[Any] = super().filter(qs, value)
        return filtered


class ChangesFilterSet(django_filters.FilterSet):
    updated_since = ChangedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Changed at or after this time (ISO 8601, e.g. 2026-01-31T09:00:00Z); pages by cursor",
    )


def _keeps_changes(model: type[models.Model]) -> bool:
    """Whether rows of ``model`` carry ``updated_at``, which cursor paging orders by."""
    return any(field.name == "updated_at" for field in model._meta.get_fields())


def _encode(updated_at: datetime, pk: int) -> str:
    raw = json.dumps({"t": updated_at.isoformat(), "id": pk}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    refused = ValidationError({"cursor": ["This cursor is not one this service gave out; start again without it."]})
    if len(cursor) > 200:
        raise refused
    try:
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = parse_datetime(document["t"])
        pk = document["id"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise refused from error
    if moment is None or timezone.is_naive(moment) or not isinstance(pk, int) or not 0 <= pk < 2**63:
        raise refused
    return as_utc(moment, field="cursor"), pk


class ListPagination(BasePagination):
    """Page numbers for people; a keyset cursor, in order of change, for polling clients (see the module)."""

    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.polling = False
        self.numbered = PageNumberPagination()
        self.numbered.page_size = DEFAULT_PAGE_SIZE
        self.numbered.page_size_query_param = "page_size"
        self.numbered.max_page_size = MAX_PAGE_SIZE
        self.request: Request | None = None
        self.resume: str | None = None
        self.has_more = False
        self.page_size = DEFAULT_PAGE_SIZE

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get("page_size") or ""
        if not raw:
            return DEFAULT_PAGE_SIZE
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": [f"Enter a whole number from 1 to {MAX_PAGE_SIZE}."]})
        return int(raw)

    def paginate_queryset(self, queryset: QuerySet[M], request: Request, view: Any = None) -> list[M] | None:  # type: ignore[override]
        self.request = request
        self.page_size = self._page_size(request)
        self.polling = any(request.query_params.get(name) for name in POLLING_PARAMETERS)
        if not self.polling:
            return self.numbered.paginate_queryset(queryset, request, view)
        if not _keeps_changes(queryset.model):
            asked = next(name for name in POLLING_PARAMETERS if request.query_params.get(name))
            raise ValidationError({asked: ["This list does not record when its rows change: page it by number."]})
        if request.query_params.get("ordering"):
            raise ValidationError({"ordering": ["Polling (updated_since or cursor) always lists in order of change."]})
        settle = timedelta(seconds=settings.HOMECARE_API_POLL_SETTLE_SECONDS)
        rows = queryset.filter(updated_at__lte=timezone.now() - settle).order_by("updated_at", "pk")
        cursor = request.query_params.get("cursor")
        if cursor:
            moment, pk = _decode(cursor)
            rows = rows.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
        page = list(rows[: self.page_size + 1])
        self.has_more = len(page) > self.page_size
        page = page[: self.page_size]
        if page:
            last: Any = page[-1]
            if isinstance(last, dict):  # a page of .values() rows (homecare.api_rows)
                self.resume = _encode(last["updated_at"], last["id"])
            else:
                self.resume = _encode(last.updated_at, last.pk)
        else:
            # Nothing new: resume from where the client asked, so its next poll starts from the same place.
            self.resume = cursor or self._resume_before(request.query_params.get("updated_since") or "")
        return page

    @staticmethod
    def _resume_before(since: str) -> str | None:
        """A cursor just before ``since`` (already checked by the filter), so the next poll starts there."""
        moment = parse_datetime(since) if since else None
        if moment is None or timezone.is_naive(moment):
            return None
        moment = as_utc(moment, field="updated_since")
        return _encode(moment - timedelta(microseconds=1), 2**62) if moment > datetime.min.replace(tzinfo=UTC) else None

    def get_paginated_response(self, data: Any) -> Response:
        if not self.polling:
            response = self.numbered.get_paginated_response(data)
            response.data["cursor"] = None
            return response
        assert self.request is not None  # noqa: S101 - set by paginate_queryset, which DRF calls first
        next_url = None
        if self.has_more and self.resume:
            next_url = replace_query_param(self.request.build_absolute_uri(), "cursor", self.resume)
        return Response(
            OrderedDict([("next", next_url), ("previous", None), ("cursor", self.resume), ("results", data)])
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return paginated_schema(schema)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": "page", "required": False, "in": "query", "description": "Page number (not with a cursor).",
             "schema": {"type": "integer", "minimum": 1}},
            {"name": "page_size", "required": False, "in": "query", "description": f"Rows a page, to {MAX_PAGE_SIZE}.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
            {"name": "cursor", "required": False, "in": "query",
             "description": "Resume polling after the last row seen: the cursor of the previous page.",
             "schema": {"type": "string", "maxLength": 200}},
        ]  # fmt: skip


def paginated_schema(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["results"],
        "properties": {
            "count": {"type": "integer", "description": "Rows in all pages (page-number paging only)."},
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "cursor": {"type": "string", "nullable": True, "description": "Give it back as ?cursor= to poll on."},
            "results": items,
        },
    }


# The paging's own parameters, which no FilterSet reads.
PAGING_PARAMETERS = frozenset({"page", "page_size", "cursor"})


def filtered(filterset_class: type[django_filters.FilterSet], request: Request, queryset: QuerySet[M]) -> QuerySet[M]:
    """Apply a FilterSet in a plain APIView, as DjangoFilterBackend does for generic views (400 when invalid).

    Without a filter's parameter (the usual page, and every plain poll) a FilterSet whose filters are all optional
    filters nothing: its form is not built (about 0.5 ms a request)."""
    if request.query_params.keys() <= PAGING_PARAMETERS and not any(
        declared.extra.get("required") for declared in filterset_class.base_filters.values()
    ):
        return queryset
    filterset = filterset_class(data=request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    result: QuerySet[M] = filterset.qs
    return result


def list_parameters(filterset_class: type[django_filters.FilterSet]) -> list[Any]:
    """The query parameters of a FilterSet and the paging, for ``extend_schema`` on a plain APIView (generic
    views get them from drf-spectacular's django-filter support)."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    parameters = []
    for name, declared in filterset_class.base_filters.items():
        enum = None
        kind: Any = OpenApiTypes.STR
        if isinstance(declared, django_filters.OrderingFilter):
            enum = [value for value, _label in declared.field.choices if value]
        elif isinstance(declared, django_filters.ChoiceFilter):
            enum = [value for value, _label in declared.extra["choices"]]
        elif isinstance(declared, django_filters.IsoDateTimeFilter):
            kind = OpenApiTypes.DATETIME
        elif isinstance(declared, django_filters.NumberFilter):
            kind = OpenApiTypes.INT
        description = str(declared.label or "")
        parameters.append(OpenApiParameter(name, kind, enum=enum, description=description))
    parameters += [
        OpenApiParameter("page", OpenApiTypes.INT, description="Page number (not with cursor paging)."),
        OpenApiParameter("page_size", OpenApiTypes.INT, description=f"Rows a page, 1 to {MAX_PAGE_SIZE}."),
        OpenApiParameter("cursor", OpenApiTypes.STR, description="The previous page's cursor, to poll on."),
    ]
    return parameters
