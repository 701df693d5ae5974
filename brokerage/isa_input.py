"""The ISA's plain-data form (JSON from the API, a row of the CSV import): its shape, checked at the boundary.

Shape only: types, lengths and vocabularies. Every rule of an ISA, across fields or against the database, is
checked once by ``brokerage.services.packages.isa_resolve`` inside the one entry service.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from brokerage.isa import MAX_VISITS, TEXT_LIMITS, IsaData, PersonData, VisitData
from brokerage.models import CarerGender, Funding, Skill, Visit
from contracts.models import Urgency

DAY_NAMES = [day.name.lower() for day in Visit.Day]


class VisitInput(serializers.Serializer[Any]):
    day_of_week = serializers.ChoiceField(choices=DAY_NAMES, help_text="monday … sunday")
    window_start = serializers.TimeField(help_text="Earliest start, HH:MM")
    window_end = serializers.TimeField(help_text="Latest finish, HH:MM")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=720)
    carers = serializers.IntegerField(min_value=1, max_value=2, default=1, help_text="2 for a double-handed call")


class PersonInput(serializers.Serializer[Any]):
    mosaic_person_id = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    address_line_1 = serializers.CharField(max_length=200)
    address_line_2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    # Its format and whereabouts are rules of the ISA (``isa_resolve``), not of the shape.
    postcode = serializers.CharField(max_length=10)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class IsaInput(serializers.Serializer[Any]):
    """An ISA from the council's case-management system. ``external_reference`` makes the request idempotent."""

    source_system = serializers.CharField(max_length=50, default="mosaic")
    external_reference = serializers.CharField(max_length=100)
    agreement_reference = serializers.CharField(
        max_length=100, help_text='The agreement\'s reference, e.g. "Contract ID 84738"'
    )
    lot_number = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=999)
    locality_area_code = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    person = PersonInput()
    visits = VisitInput(many=True, allow_empty=False, max_length=MAX_VISITS)  # type: ignore[call-arg]  # ListSerializer's
    hours_per_week = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None, min_value=Decimal("0.25")
    )
    requested_start_on = serializers.DateField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    housing_with_care = serializers.BooleanField(default=False)
    required_skills = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False, default=list, max_length=len(Skill)
    )
    language = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    carer_gender = serializers.ChoiceField(choices=CarerGender.choices, default=CarerGender.ANY)
    care_needs = serializers.CharField(
        max_length=TEXT_LIMITS["care_needs"],
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Care needs safe to share with every provider offered the package (no names, addresses or codes).",
    )
    special_requirements = serializers.CharField(
        max_length=TEXT_LIMITS["special_requirements"],
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Access details and private notes (a key safe code, door entry): shown only to the provider the "
        "package is awarded to.",
    )
    funding = serializers.ChoiceField(choices=Funding.choices, default=Funding.COUNCIL)
    postcode_override_reason = serializers.CharField(
        max_length=TEXT_LIMITS["postcode_override_reason"],
        required=False,
        allow_blank=True,
        default="",
        help_text="Only when the person's postcode is right but not yet in the ONS lookup (a new-build street): why "
        "the person may be placed at the centre of its district. Recorded on the package's audit trail.",
    )


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
        care_needs=data["care_needs"],
        special_requirements=data["special_requirements"],
        funding=data["funding"],
        postcode_override_reason=data["postcode_override_reason"],
    )
