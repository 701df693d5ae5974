"""API input and output shapes for brokerage. Inputs validate at the boundary and become plain ``IsaData``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from brokerage.isa import IsaData, PersonData, VisitData, check_isa_rules, visit_problems
from brokerage.models import CarePackage, CarerGender, DeclineReason, Funding, Offer, Skill, Visit
from contracts.models import Agreement, Urgency
from providers.geography import locate_postcode, normalise_postcode

DAY_NAMES = [day.name.lower() for day in Visit.Day]


class VisitInput(serializers.Serializer[Any]):
    day_of_week = serializers.ChoiceField(choices=DAY_NAMES, help_text="monday … sunday")
    window_start = serializers.TimeField(help_text="Earliest start, HH:MM")
    window_end = serializers.TimeField(help_text="Latest finish, HH:MM")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=720)
    carers = serializers.IntegerField(min_value=1, max_value=2, default=1, help_text="2 for a double-handed call")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Checked per visit here, so these errors arrive together with every other field's.
        visit = VisitData(0, attrs["window_start"], attrs["window_end"], attrs["duration_minutes"], attrs["carers"])
        problems = visit_problems(visit)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class PersonInput(serializers.Serializer[Any]):
    mosaic_person_id = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    address_line_1 = serializers.CharField(max_length=200)
    address_line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

    def validate_postcode(self, value: str) -> str:
        try:
            postcode = normalise_postcode(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        if locate_postcode(postcode) is None:
            raise serializers.ValidationError(f"We cannot find the postcode {postcode}.")
        return postcode


class IsaInput(serializers.Serializer[Any]):
    """An ISA from the council's case-management system. ``external_reference`` makes the request idempotent."""

    source_system = serializers.CharField(max_length=50, default="mosaic")
    external_reference = serializers.CharField(max_length=100)
    agreement_reference = serializers.CharField(
        max_length=100, help_text='The agreement\'s reference, e.g. "Contract ID 84738"'
    )
    lot_number = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    locality_area_code = serializers.CharField(required=False, allow_blank=True, default="")
    person = PersonInput()
    visits = VisitInput(many=True, allow_empty=False)
    hours_per_week = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None, min_value=Decimal("0.25")
    )
    requested_start_on = serializers.DateField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    housing_with_care = serializers.BooleanField(default=False)
    required_skills = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False, default=list
    )
    language = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    carer_gender = serializers.ChoiceField(choices=CarerGender.choices, default=CarerGender.ANY)
    special_requirements = serializers.CharField(required=False, allow_blank=True, default="")
    funding = serializers.ChoiceField(choices=Funding.choices, default=Funding.COUNCIL)

    def validate_agreement_reference(self, value: str) -> str:
        if not Agreement.objects.filter(reference=value).exists():
            raise serializers.ValidationError(f"No agreement has the reference {value!r}.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = check_isa_rules(isa_from_validated(attrs))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def isa_from_validated(data: dict[str, Any]) -> IsaData:
    person = data["person"]
    return IsaData(
        source_system=data["source_system"],
        external_reference=data["external_reference"],
        agreement_reference=data["agreement_reference"],
        lot_number=data["lot_number"],
        locality_area_code=data["locality_area_code"],
        person=PersonData(**person),
        visits=tuple(
            VisitData(
                day_of_week=DAY_NAMES.index(visit["day_of_week"]),
                window_start=visit["window_start"],
                window_end=visit["window_end"],
                duration_minutes=visit["duration_minutes"],
                carers=visit["carers"],
            )
            for visit in data["visits"]
        ),
        hours_per_week=data["hours_per_week"],
        requested_start_on=data["requested_start_on"],
        urgency=data["urgency"],
        housing_with_care=data["housing_with_care"],
        required_skills=tuple(data["required_skills"]),
        language=data["language"],
        carer_gender=data["carer_gender"],
        special_requirements=data["special_requirements"],
        funding=data["funding"],
    )


class VisitOutput(serializers.ModelSerializer[Visit]):
    day_of_week = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["day_of_week", "window_start", "window_end", "duration_minutes", "carers"]

    def get_day_of_week(self, visit: Visit) -> str:
        return DAY_NAMES[visit.day_of_week]


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
            "deadline_at",
            "visits",
        ]


ErrorsOutput = inline_serializer(
    "FieldErrors",
    fields={"errors": serializers.DictField(help_text="Each field with every message about it (nested as sent).")},
)


class ConflictOutput(serializers.Serializer[Any]):
    detail = serializers.CharField()
    package = serializers.IntegerField()


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
    visits = VisitOutput(source="package.visits", many=True, read_only=True)
    decline_reason = serializers.CharField(read_only=True, help_text="A decline reason code, blank until declined")

    class Meta:
        model = Offer
        fields = [
            "id",
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
            "visits",
        ]


class AcceptInput(serializers.Serializer[Any]):
    start_on = serializers.DateField(help_text="The date you can start care")


class DeclineInput(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
