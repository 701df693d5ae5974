"""Officer forms for agreements, lots, memberships and fee rates (GOV.UK styled with crispy-forms-gds)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms

from contracts.models import (
    Agreement,
    AllocationPolicy,
    LocalityRule,
    Lot,
    MembershipRole,
    ProcurementRoute,
    ServiceType,
    Urgency,
)
from contracts.services import AGREEMENT_FIELDS, DeadlineTerms
from providers.models import LocalityArea, Provider


class GdsForm(forms.Form):
    """A form rendered by crispy-forms-gds with one primary button; errors go in the page's error summary."""

    submit_label = "Save"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.submit_label))


def _money(label: str, *, help_text: str = "", required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )


def _hours(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, help_text=help_text, min_value=1, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


def _whole(label: str, help_text: str, initial: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        initial=initial,
        required=False,
        min_value=1,
        max_value=100 * 365,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )


def _window(urgency: str, *, initial: int | None) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{urgency}: providers answer an offer within (hours, optional)",
        help_text="Leave empty to use the response window above.",
        initial=initial,
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )


def _working(urgency: str) -> forms.BooleanField:
    return forms.BooleanField(
        label=f"{urgency}: count working hours only (09:00 to 17:00, Monday to Friday, not bank holidays)",
        required=False,
    )


class AgreementForm(GdsForm):
    name = forms.CharField(label="Agreement name", max_length=255)
    reference = forms.CharField(label="Reference", max_length=100, help_text='For example, "Contract ID 84738".')
    procurement_route = forms.ChoiceField(label="Procurement route", choices=ProcurementRoute.choices)
    council_name = forms.CharField(label="Council", max_length=150)
    term_start = DateInputField(label="Term starts", help_text="For example, 1 4 2024")
    term_end = DateInputField(label="Term ends", help_text="For example, 31 3 2027")
    indicative_annual_budget = _money("Indicative annual budget (£)", required=False)
    budget_year = forms.CharField(label="Budget year", max_length=20, required=False, help_text="For example, 2024/25")
    allocation_policy = forms.ChoiceField(
        label="How packages are allocated", choices=AllocationPolicy.choices, widget=forms.RadioSelect
    )
    response_window_hours = _hours("Response window (hours)", "Ranked DPS: how long providers have to respond.")
    cascade_offer_timeout_hours = _hours(
        "Cascade offer timeout (hours)", "Sequential cascade: how long each provider has."
    )
    lead_first_refusal_hours = _hours("Lead provider first refusal (hours)", "Lead provider first: the lead's time.")
    locality_rule = forms.ChoiceField(
        label="How locality is measured in the ranking",
        choices=LocalityRule.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    hospital_discharge_hours = _hours("Hospital discharge: place within (hours)", "For example, 48")
    hospital_discharge_response_hours = _window("Hospital discharge", initial=2)
    hospital_discharge_working_hours = _working("Hospital discharge")
    urgent_hours = _hours("Urgent: place within (hours)", "For example, 72")
    urgent_response_hours = _window("Urgent", initial=4)
    urgent_working_hours = _working("Urgent")
    routine_hours = _hours("Routine: place within (hours)", "For example, 336 (two weeks)")
    routine_response_hours = _window("Routine", initial=None)
    routine_working_hours = _working("Routine")
    retention_after_end_years = _whole(
        "Keep personal details after care ends (years)",
        "Then the person's details are anonymised. The Records Management Code of Practice says 8.",
        initial=8,
    )
    retention_after_cancel_days = _whole(
        "Keep personal details after a cancellation (days)", "For packages cancelled before care started.", 365
    )
    retention_draft_days = _whole(
        "Keep unsubmitted drafts (days)", "Older drafts are cancelled and their details anonymised.", 90
    )
    suspension_retainer_days = forms.IntegerField(
        label="Suspension retainer (days)",
        help_text="Days of a suspension (hospital, respite, holiday) still paid to the provider. 0 for none.",
        initial=0,
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
    )

    DEADLINE_FIELDS = {
        Urgency.HOSPITAL_DISCHARGE: "hospital_discharge_hours",
        Urgency.URGENT: "urgent_hours",
        Urgency.ROUTINE: "routine_hours",
    }

    def placement_deadlines(self) -> dict[str, DeadlineTerms]:
        data = self.cleaned_data
        return {
            urgency: DeadlineTerms(
                hours=data[field],
                response_window_hours=data.get(f"{urgency}_response_hours"),
                working_hours_only=bool(data.get(f"{urgency}_working_hours")),
            )
            for urgency, field in self.DEADLINE_FIELDS.items()
        }

    def agreement_fields(self) -> dict[str, Any]:
        """The cleaned values that belong to the agreement itself (not deadlines or extras)."""
        return {name: value for name, value in self.cleaned_data.items() if name in AGREEMENT_FIELDS}

    # Left out by a client that predates them: these keep what the agreement holds, or their default.
    RETENTION_FIELDS = (
        "retention_after_end_years",
        "retention_after_cancel_days",
        "retention_draft_days",
        "suspension_retainer_days",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.RETENTION_FIELDS:
            # Left out (e.g. by a client that predates them): keep what the agreement holds, or the default.
            if data.get(name) is None and name not in self.errors:
                data[name] = self.initial.get(name, self.fields[name].initial)
        if not data.get("locality_rule"):
            data["locality_rule"] = self.initial.get("locality_rule", LocalityRule.OFFICE_DISTANCE)
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", "The term must end after it starts.")
        return data


class AgreementCreateForm(AgreementForm):
    submit_label = "Create agreement"
    extension_months = forms.CharField(
        label="Extension options (months)",
        required=False,
        help_text="Each option's length in months, in order, separated by commas. For example, 12, 12",
    )

    def clean_extension_months(self) -> list[int]:
        text = self.cleaned_data.get("extension_months", "")
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not all(part.isdigit() and int(part) > 0 for part in parts):
            raise forms.ValidationError("Enter whole numbers of months, separated by commas, like 12, 12")
        return [int(part) for part in parts]


class AgreementUpdateForm(AgreementForm):
    submit_label = "Save changes"
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionTakeForm(GdsForm):
    submit_label = "Take this extension"
    taken_on = DateInputField(label="Date the extension was agreed")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class LotForm(GdsForm):
    submit_label = "Add lot"
    number = forms.IntegerField(label="Lot number", min_value=1, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    name = forms.CharField(label="Lot or area name", max_length=150)
    locality_area = forms.ModelChoiceField(
        label="Council locality area", queryset=LocalityArea.objects.all(), required=False, empty_label="None"
    )


class MembershipAppointForm(GdsForm):
    submit_label = "Appoint provider"
    provider = forms.ModelChoiceField(label="Provider", queryset=Provider.objects.order_by("name"))
    role = forms.ChoiceField(label="Role", choices=MembershipRole.choices, widget=forms.RadioSelect)
    lot = forms.ModelChoiceField(
        label="Lot", queryset=Lot.objects.none(), required=False, help_text="Needed for lead and additional providers."
    )
    appointed_on = DateInputField(label="Appointed on")
    reason = forms.CharField(label="Reason or decision reference", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lot_field = self.fields["lot"]
        assert isinstance(lot_field, forms.ModelChoiceField)  # noqa: S101 - declared just above
        lot_field.queryset = Lot.objects.filter(agreement=agreement)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") and data["role"] != MembershipRole.DPS_MEMBER and not data.get("lot"):
            self.add_error("lot", "Choose the lot for a lead or additional provider.")
        return data


class LeadAppointForm(GdsForm):
    submit_label = "Appoint lead provider"
    provider = forms.ModelChoiceField(label="New lead provider", queryset=Provider.objects.order_by("name"))
    appointed_on = DateInputField(label="Lead from")
    reason = forms.CharField(
        label="Tender decision", help_text="The tender and its result.", widget=forms.Textarea(attrs={"rows": 3})
    )


class MembershipChangeForm(GdsForm):
    """Suspend or end a membership: both need a date and a reason."""

    on = DateInputField(label="From")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class SuspendForm(MembershipChangeForm):
    submit_label = "Suspend"


class ExitForm(MembershipChangeForm):
    submit_label = "End membership"


class ReinstateForm(GdsForm):
    submit_label = "Lift the suspension"
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class FeeRateForm(GdsForm):
    submit_label = "Add fee rate"
    service_type = forms.ChoiceField(label="Service type", choices=ServiceType.choices)
    hourly_rate = _money("Hourly rate (£)")
    staff_pay_element = _money(
        "Staff-pay element (£ per hour)", help_text="The part of the rate that must be passed in full to care workers."
    )
    effective_from = DateInputField(label="In force from", help_text="Any date, mid-week included.")
    note = forms.CharField(
        label="Note", max_length=255, required=False, help_text="For example, the decision it follows"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rate, staff = data.get("hourly_rate"), data.get("staff_pay_element")
        if rate is not None and staff is not None and staff > rate:
            self.add_error("staff_pay_element", "The staff-pay element cannot be more than the hourly rate.")
        return data
