"""One translation of a bad ISA's failures into each entry route's field errors.

Rules fail as ``{field path: [messages]}`` (``IsaInvalid.errors``, paths like ``person.postcode`` or
``visits[2].window_end``). The API nests them as DRF does (``{"person": {"postcode": [...]}}``), the web form
puts each on its field, and the CSV import writes "field: message" lines, so the same bad ISA gets the same
messages on every route. When an ISA's shape is already wrong, the database checks still run on the fields
that parsed, so a sender learns every error at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms

from brokerage.services.packages import isa_reference_errors

PERSON_FIELDS = (
    "mosaic_person_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
)
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

# Where an ISA rule's error (named by its field path) is shown on the officer's web form.
FORM_FIELDS = {
    "agreement_reference": "agreement",
    "external_reference": "external_reference",
    "lot_number": "lot_number",
    "requested_start_on": "requested_start_on",
    "language": "language",
    "care_needs": "care_needs",
    "special_requirements": "special_requirements",
    "postcode_override_reason": "postcode_override_reason",
    **{f"person.{name}": name for name in PERSON_FIELDS},
    "locality_area_code": "locality_area",
    "required_skills": "required_skills",
    "urgency": "urgency",
    "carer_gender": "carer_gender",
    "funding": "funding",
    "hours_per_week": None,
    "visits": None,
}
_VISIT_FIELD = re.compile(r"^visits\[(\d+)\]\.(\w+)$")


def _steps(path: str) -> list[str]:
    return [name or index for name, index in _STEP.findall(path)]


def nested(errors: Mapping[str, list[str]]) -> dict[str, Any]:
    """``{"visits[0].window_end": [m]}`` -> ``{"visits": {"0": {"window_end": [m]}}}``, as DRF nests errors."""
    result: dict[str, Any] = {}
    for path, messages in errors.items():
        *parents, last = _steps(path)
        node = result
        for step in parents:
            node = node.setdefault(step, {})
        node.setdefault(last, []).extend(messages)
    return result


def merge(shape: Mapping[str, Any], rules: Mapping[str, Any]) -> dict[str, Any]:
    """Shape errors (a serializer's) and rule errors (nested) together, neither losing a message."""
    merged: dict[str, Any] = dict(shape)
    for key, value in rules.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = [*current, *(message for message in value if message not in current)]
        elif isinstance(current, list) and isinstance(value, Mapping):
            # DRF gives a list serializer's errors as a list, one entry per item: index it like the rules.
            merged[key] = merge({str(i): item for i, item in enumerate(current) if item}, value)
        else:
            merged[key] = value
    return merged


def lines(errors: Mapping[str, list[str]]) -> list[str]:
    """Every failure as "field: message", for a report."""
    return [f"{path}: {message}" for path, messages in errors.items() for message in messages]


def shape_lines(errors: Any, prefix: str = "") -> list[str]:
    """A serializer's nested errors as "field: message" lines (``person.given_name: This field is required.``)."""
    if isinstance(errors, Mapping):
        return [
            line
            for key, value in errors.items()
            for line in shape_lines(value, f"{prefix}{key}." if key != "non_field_errors" else prefix)
        ]
    if isinstance(errors, list):
        if errors and all(isinstance(item, Mapping) for item in errors):
            return [line for index, item in enumerate(errors) for line in shape_lines(item, f"{prefix}{index}.")]
        return [line for item in errors for line in shape_lines(item, prefix)]
    return [f"{prefix.rstrip('.')}: {errors}" if prefix else str(errors)]


def references_of_malformed(data: Any, shape_errors: Mapping[str, Any]) -> dict[str, list[str]]:
    """The database checks on the fields of a malformed ISA payload that are themselves well formed."""
    if not isinstance(data, Mapping):
        return {}
    person = data.get("person")
    person_errors = shape_errors.get("person")

    def text(value: Any, bad: bool) -> str | None:
        return value if isinstance(value, str) and value.strip() and not bad else None

    lot = data.get("lot_number")
    lot_ok = isinstance(lot, int) and not isinstance(lot, bool) and "lot_number" not in shape_errors
    lot_number = lot if lot_ok else None
    postcode = None
    if isinstance(person, Mapping):
        bad_postcode = isinstance(person_errors, Mapping) and "postcode" in person_errors
        postcode = text(person.get("postcode"), bad_postcode)
    area = text(data.get("locality_area_code"), "locality_area_code" in shape_errors) or ""
    reason = data.get("postcode_override_reason")
    return isa_reference_errors(
        postcode_override_reason=reason if isinstance(reason, str) else "",
        agreement_reference=text(data.get("agreement_reference"), "agreement_reference" in shape_errors),
        lot_number=lot_number,
        postcode=postcode,
        locality_area_code=area,
    )


def for_api(data: Any, shape_errors: Mapping[str, Any]) -> dict[str, Any]:
    """The API's 400 body for a malformed payload: its shape errors and the reference checks that could run."""
    return merge(shape_errors, nested(references_of_malformed(data, shape_errors)))


def add_to_form(errors: Mapping[str, list[str]], *, form: forms.Form, visit_forms: list[forms.Form]) -> None:
    """Put each failure on the officer's form: on its field, on the visit row's field, or at the top.

    ``visit_forms`` are the filled-in visit rows, in the order they became the ISA's visits.
    """
    for path, messages in errors.items():
        visit = _VISIT_FIELD.match(path)
        for message in messages:
            if visit is not None and int(visit[1]) < len(visit_forms):
                row = visit_forms[int(visit[1])]
                row.add_error(visit[2] if visit[2] in row.fields else None, message)
            else:
                form.add_error(FORM_FIELDS.get(path), message)
