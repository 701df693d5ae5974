"""Officer forms for people's rights: finding a person for a subject access export, and erasure."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from brokerage.forms import GdsForm


class SubjectAccessForm(GdsForm):
    submit_label = "Find and export"
    mosaic_person_id = forms.CharField(label="Mosaic person ID", max_length=50, required=False)
    family_name = forms.CharField(label="Or: last name", max_length=100, required=False)
    date_of_birth = DateInputField(label="and date of birth", required=False, help_text="For example, 27 3 1940")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("mosaic_person_id", "").strip() and not (data.get("family_name") and data.get("date_of_birth")):
            raise forms.ValidationError("Enter a Mosaic person ID, or a last name and a date of birth.")
        return data


class ErasureForm(GdsForm):
    submit_label = "Erase the person's details"
    reason = forms.CharField(
        label="Why are the person's details being erased?",
        help_text="For example, the person's request of 3 March, reference SAR-1234.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, care_in_hand: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if care_in_hand:
            self.fields["confirm_care_in_hand"] = forms.BooleanField(
                label="I confirm the details must be erased although care is being arranged or delivered. "
                "The package will be cancelled and any offers withdrawn.",
                required=False,
            )
