"""REST API for brokerage: one view per action; each validates, calls a service or selector, serialises."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from brokerage import entry_errors
from brokerage.api.filters import OfferFilterSet, PackageFilterSet
from brokerage.api.serializers import (
    AcceptInput,
    ConflictOutput,
    DeclineInput,
    OfferOutput,
    PackageOutput,
    RankingOutput,
    offer_rows,
    package_rows,
    page_of,
)
from brokerage.isa_input import IsaInput, isa_from_validated
from brokerage.models import Offer
from brokerage.selectors import (
    latest_ranking,
    offer_get_for_provider,
    offers_for_provider,
    package_get_for_officer,
    package_list,
    ranking_document,
)
from brokerage.services.packages import IsaConflict, IsaInvalid, package_enter
from brokerage.services.responses import OfferClosed, ResponseInvalid, offer_accept, offer_decline
from homecare.accounts.audiences import IsOfficer, IsOfficerOrCcc, IsProviderStaff, request_user
from homecare.api_lists import ListPagination, filtered, list_parameters
from homecare.problems import ProblemOutput, problem_response

# Errors are problem details (homecare.problems); a 400's ``errors`` name the request's field paths.
INVALID = OpenApiResponse(ProblemOutput, description="Every field error, at once. Nothing was saved.")
CLOSED = OpenApiResponse(ProblemOutput, description="The offer can no longer be answered; nothing was saved.")


MISSING_PAGE = OpenApiResponse(ProblemOutput, description="There is no page with that number.")


class PackageListCreateApi(APIView):
    def get_permissions(self) -> list[Any]:
        return [IsOfficer()] if self.request.method == "POST" else [IsOfficerOrCcc()]

    @extend_schema(
        operation_id="packages_list",
        parameters=list_parameters(PackageFilterSet),
        responses={200: page_of("PaginatedPackageList", PackageOutput(many=True)), 400: INVALID, 404: MISSING_PAGE},
    )
    def get(self, request: Request) -> Response:
        """Filter and order with the parameters; poll for changes with ``updated_since``, then ``cursor``."""
        packages = filtered(PackageFilterSet, request, package_list(user=request.user))
        paginator = ListPagination()
        page = paginator.paginate_queryset(package_rows().values(packages), request, view=self)
        return paginator.get_paginated_response(package_rows().page(page or []))

    @extend_schema(
        operation_id="packages_create",
        request=IsaInput,
        responses={
            201: PackageOutput,
            200: OpenApiResponse(PackageOutput, description="The same ISA was sent before: the existing package."),
            400: INVALID,
            409: OpenApiResponse(ConflictOutput, description="The reference is already used with different details."),
        },
    )
    def post(self, request: Request) -> Response | HttpResponse:
        """Create an ISA and submit it for brokering. Idempotent on (source_system, external_reference)."""
        serializer = IsaInput(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(entry_errors.for_api(request.data, serializer.errors))
        try:
            entered = package_enter(
                isa=isa_from_validated(serializer.validated_data), entered_by=request_user(request), submit=True
            )
        except IsaInvalid as invalid:
            raise ValidationError(entry_errors.nested(invalid.errors)) from invalid
        except IsaConflict as conflict:
            return problem_response(409, str(conflict), extra={"package": conflict.package.pk})
        package = package_get_for_officer(user=request.user, package_id=entered.package.pk)
        response = Response(
            PackageOutput(package).data, status=status.HTTP_201_CREATED if entered.created else status.HTTP_200_OK
        )
        response["Location"] = f"/api/v1/packages/{package.pk}/"
        return response


class PackageDetailApi(APIView):
    permission_classes = [IsOfficerOrCcc]

    @extend_schema(operation_id="packages_retrieve", responses=PackageOutput)
    def get(self, request: Request, package_id: int) -> Response:
        return Response(PackageOutput(package_get_for_officer(user=request.user, package_id=package_id)).data)


class PackageRankingApi(APIView):
    permission_classes = [IsOfficerOrCcc]

    @extend_schema(operation_id="packages_ranking", responses={200: RankingOutput})
    def get(self, request: Request, package_id: int) -> Response:
        """The stored ranking of the package's current round, with every provider's explanation."""
        package = package_get_for_officer(user=request.user, package_id=package_id)
        found = latest_ranking(package=package)
        if found is None:
            raise NotFound("This package has not been ranked yet.")
        run, ranking = found
        return Response(RankingOutput(ranking_document(run=run, ranking=ranking)).data)


class OfferListApi(APIView):
    permission_classes = [IsProviderStaff]

    @extend_schema(
        operation_id="offers_list",
        parameters=list_parameters(OfferFilterSet),
        responses={200: page_of("PaginatedOfferList", OfferOutput(many=True)), 400: INVALID, 404: MISSING_PAGE},
    )
    def get(self, request: Request) -> Response:
        """Your organisation's offers only. A rostering system polls with ``updated_since``, then ``cursor``."""
        offers = filtered(OfferFilterSet, request, offers_for_provider(provider_user=request.user))
        paginator = ListPagination()
        page = paginator.paginate_queryset(offer_rows().values(offers), request, view=self)
        return paginator.get_paginated_response(offer_rows().page(page or []))


class OfferDetailApi(APIView):
    permission_classes = [IsProviderStaff]

    @extend_schema(operation_id="offers_retrieve", responses=OfferOutput)
    def get(self, request: Request, offer_id: int) -> Response:
        return Response(OfferOutput(offer_get_for_provider(offer_id=offer_id, provider_user=request.user)).data)


def _closed(error: OfferClosed) -> HttpResponse:
    return problem_response(409, str(error))


class OfferAcceptApi(APIView):
    permission_classes = [IsProviderStaff]

    @extend_schema(
        operation_id="offers_accept",
        request=AcceptInput,
        responses={200: OfferOutput, 400: INVALID, 409: CLOSED},
    )
    def post(self, request: Request, offer_id: int) -> Response | HttpResponse:
        serializer = AcceptInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            offer = offer_accept(
                offer_id=offer_id, provider_user=request_user(request), start_on=serializer.validated_data["start_on"]
            )
        except ResponseInvalid as invalid:
            raise ValidationError(invalid.errors) from invalid
        except OfferClosed as error:
            return _closed(error)
        return Response(_answered(offer))


class OfferDeclineApi(APIView):
    permission_classes = [IsProviderStaff]

    @extend_schema(
        operation_id="offers_decline",
        request=DeclineInput,
        responses={200: OfferOutput, 400: INVALID, 409: CLOSED},
    )
    def post(self, request: Request, offer_id: int) -> Response | HttpResponse:
        serializer = DeclineInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            offer = offer_decline(
                offer_id=offer_id,
                provider_user=request_user(request),
                reason=serializer.validated_data["reason"],
                note=serializer.validated_data["note"],
            )
        except ResponseInvalid as invalid:
            raise ValidationError(invalid.errors) from invalid
        except OfferClosed as error:
            return _closed(error)
        return Response(_answered(offer))


def _answered(offer: Offer) -> dict[str, Any]:
    """The answered offer as ``OfferOutput`` writes it, re-read after the commit from ``.values()`` rows (the
    list's own, ``offer_rows``): two queries, no model instances or serializer fields built."""
    rows = offer_rows()
    return rows.page(rows.values(Offer.objects.filter(pk=offer.pk)))[0]
