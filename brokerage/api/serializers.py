"""API input and output shapes for brokerage. Inputs validate at the boundary and become plain ``IsaData``."""

from __future__ import annotations

from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from brokerage.isa_input import DAY_NAMES
from brokerage.models import CarePackage, DeclineReason, Offer, Visit, package_reference
from brokerage.services.responses import DECLINE_NOTE_MAX
from homecare.api_rows import FlatChildren, FlatOutput
from homecare.problems import ProblemOutput


# A clock time as the API writes it ("08:00:00"): OpenAPI's "time" format would demand a UTC offset.
@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$", "example": "08:00:00"})
class ClockTimeField(serializers.TimeField):
    pass


class VisitOutput(serializers.ModelSerializer[Visit]):
    day_of_week = serializers.SerializerMethodField()
    window_start = ClockTimeField(read_only=True)
    window_end = ClockTimeField(read_only=True)

    class Meta:
        model = Visit
        fields = ["day_of_week", "window_start", "window_end", "duration_minutes", "carers"]

    def get_day_of_week(self, visit: Visit) -> str:
        return day_name(visit.day_of_week)


def day_name(day_of_week: int) -> str:
    return DAY_NAMES[day_of_week]


class PackageOutput(serializers.ModelSerializer[CarePackage]):
    reference = serializers.CharField(read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    locality_area = serializers.CharField(source="locality_area.name", read_only=True, allow_null=True)
    awarded_provider = serializers.CharField(source="awarded_provider.name", read_only=True, allow_null=True)
    visits = VisitOutput(many=True, read_only=True)

    class Meta:
        model = CarePackage
        fields = [
            "id",
            "reference",
            "source_system",
            "external_reference",
            "agreement_reference",
            "locality_area",
            "postcode_district",
            "hours_per_week",
            "requested_start_on",
            "urgency",
            "housing_with_care",
            "required_skills",
            "language",
            "carer_gender",
            "care_needs",
            "special_requirements",
            "funding",
            "weekly_cost",
            "status",
            "round_number",
            "awarded_provider",
            "submitted_at",
            "first_response_at",
            "awarded_at",
            "care_started_on",
            "ended_on",
            "deadline_at",
            "updated_at",
            "visits",
        ]


class ConflictOutput(ProblemOutput):
    package = serializers.IntegerField(help_text="The package that already has this reference")


def page_of(name: str, item: serializers.Serializer[Any]) -> Any:
    """The paginated list body (``homecare.api_lists.ListPagination``) of ``item``s, for the schema."""
    return inline_serializer(
        name,
        fields={
            "count": serializers.IntegerField(required=False, help_text="Rows in all pages (page-number paging)."),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "cursor": serializers.CharField(allow_null=True, help_text="Give it back as ?cursor= to poll on."),
            "results": item,
        },
    )


class RankedEntryOutput(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    provider_id = serializers.IntegerField()
    provider_name = serializers.CharField()
    lot_role = serializers.CharField()
    quality_points = serializers.IntegerField()
    quality_label = serializers.CharField()
    earliest_start = serializers.DateField()
    distance_miles = serializers.FloatField()
    recent_awards = serializers.IntegerField()
    tie_break = serializers.CharField()
    explanation = serializers.CharField()


class ExcludedEntryOutput(serializers.Serializer[Any]):
    provider_id = serializers.IntegerField()
    provider_name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class RankingOutput(serializers.Serializer[Any]):
    package = serializers.IntegerField()
    round_number = serializers.IntegerField()
    policy = serializers.CharField()
    engine_version = serializers.CharField()
    ranked_at = serializers.DateTimeField()
    ranked = RankedEntryOutput(many=True)
    excluded = ExcludedEntryOutput(many=True)


class OfferOutput(serializers.ModelSerializer[Offer]):
    """What a provider sees of its offer: needs and place, never the person's name or address."""

    package_reference = serializers.CharField(source="package.reference", read_only=True)
    postcode_district = serializers.CharField(source="package.postcode_district", read_only=True)
    locality_area = serializers.CharField(source="package.locality_area.name", read_only=True, allow_null=True)
    hours_per_week = serializers.DecimalField(
        source="package.hours_per_week", max_digits=6, decimal_places=2, read_only=True
    )
    requested_start_on = serializers.DateField(source="package.requested_start_on", read_only=True)
    urgency = serializers.CharField(source="package.urgency", read_only=True)
    required_skills = serializers.ListField(
        source="package.required_skills", child=serializers.CharField(), read_only=True
    )
    care_needs = serializers.CharField(
        source="package.care_needs", read_only=True, help_text="Care needs safe to share before award"
    )
    visits = VisitOutput(source="package.visits", many=True, read_only=True)
    decline_reason = serializers.CharField(read_only=True, help_text="A decline reason code, blank until declined")

    class Meta:
        model = Offer
        fields = [
            "id",
            "package",
            "package_reference",
            "status",
            "rank",
            "is_first_refusal",
            "sent_at",
            "respond_by",
            "responded_at",
            "proposed_start_on",
            "decline_reason",
            "postcode_district",
            "locality_area",
            "hours_per_week",
            "requested_start_on",
            "urgency",
            "required_skills",
            "care_needs",
            "updated_at",
            "visits",
        ]


class AcceptInput(serializers.Serializer[Any]):
    start_on = serializers.DateField(help_text="The date you can start care")


class DeclineInput(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=DECLINE_NOTE_MAX)


# The list pages' rows, serialised from ``.values()`` exactly as the serializers above do from model instances
# (homecare.api_rows): a page of 50 is one pass over plain rows, not a tree of model objects and DRF fields.


@cache
def _visit_rows() -> FlatChildren:
    visits = FlatOutput(VisitOutput, computed={"day_of_week": ("day_of_week", day_name)})
    return FlatChildren(visits, queryset=Visit.objects.all, parent="package_id")  # the related manager's order


@cache
def package_rows() -> FlatOutput:
    return FlatOutput(
        PackageOutput, computed={"reference": ("id", package_reference)}, nested={"visits": ("id", _visit_rows())}
    )


@cache
def offer_rows() -> FlatOutput:
    return FlatOutput(
        OfferOutput,
        computed={"package_reference": ("package", package_reference)},
        nested={"visits": ("package", _visit_rows())},
    )
