"""Forms for DPS rounds (officers), applications (providers) and decisions (officers)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.db.models import QuerySet

from contracts.forms import GdsForm
from dps.models import DecisionOutcome
from providers.models import CqcLocation


class RoundRescheduleForm(GdsForm):
    submit_label = "Save dates"
    opens_on = DateInputField(label="Opens on", help_text="The round opens at midnight at the start of this day.")
    closes_on = DateInputField(label="Closes on", help_text="The round closes at midnight at the start of this day.")
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] <= data["opens_on"]:
            self.add_error("closes_on", "The round must close after it opens.")
        return data


class LocationChoiceField(forms.ModelMultipleChoiceField[CqcLocation]):
    def label_from_instance(self, obj: CqcLocation) -> str:
        status = obj.registration_status or "status unknown"
        return f"{obj.name}, {obj.postcode or 'no postcode'} (CQC {obj.location_id}, {status.lower()})"


class ApplicationForm(forms.Form):
    """Saved as a draft until the provider submits; submitting needs an open round."""

    SAVE = "Save as draft"
    SUBMIT = "Submit application"

    locations = LocationChoiceField(
        label="Which of your CQC locations will deliver care under this agreement?",
        queryset=CqcLocation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply.",
    )
    declares_contract_compliance = forms.BooleanField(
        label="We will comply with the terms of the contract", required=False
    )
    declares_staff_pay_passed_on = forms.BooleanField(
        label="We will pass the whole staff-pay element of the council's fee rates to our care workers", required=False
    )
    declares_fee_rates_accepted = forms.BooleanField(label="We accept the council's fee rates", required=False)

    def __init__(self, *args: Any, locations: QuerySet[CqcLocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["locations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - declared just above
        field.queryset = locations
        self.helper = FormHelper(self)
        self.helper.legend_size = Size.MEDIUM
        self.helper.label_size = Size.SMALL
        # Two buttons, one form: the button's value says whether to keep a draft or submit.
        self.helper.add_input(Submit("action", self.SAVE, css_class="govuk-button--secondary"))
        self.helper.add_input(Submit("action", self.SUBMIT))

    def declarations(self) -> dict[str, bool]:
        return {
            name: bool(self.cleaned_data.get(name))
            for name in ("declares_contract_compliance", "declares_staff_pay_passed_on", "declares_fee_rates_accepted")
        }


class DecisionForm(GdsForm):
    submit_label = "Record decision"
    outcome = forms.ChoiceField(label="Decision", choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons",
        help_text="These go into the letter to the provider.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    override_justification = forms.CharField(
        label="Justification for overriding the automatic evaluation",
        help_text="Needed only if your decision differs from the automatic result.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    appointed_on = DateInputField(label="Appointed from (if appointing)", required=False)
