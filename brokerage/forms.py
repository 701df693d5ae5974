"""GOV.UK forms for brokerage (crispy-forms-gds): ISA entry, officers' decisions and providers' responses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms_gds.fields import DateInputField as GdsDateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.forms import formset_factory

from brokerage.isa import TEXT_LIMITS, IsaData, PersonData, VisitData
from brokerage.models import CarerGender, DeclineReason, Funding, HandBack, Skill, Visit
from brokerage.services.responses import DECLINE_NOTE_MAX
from brokerage.visit_rows import MAX_ROWS
from contracts.models import Agreement, Urgency
from providers.models import LocalityArea, Provider


class DateInputField(GdsDateInputField):
    """GOV.UK's day, month and year inputs, refusing a year too large for a date instead of overflowing."""

    def compress(self, data_list: Any) -> date | None:
        try:
            value: date | None = super().compress(data_list)
        except OverflowError as error:
            raise forms.ValidationError("Enter a real date, for example 14 6 2025.") from error
        if value is None and self.required:
            # A blank part (say, the year alone) leaves no date; the field wants one.
            raise forms.ValidationError("Enter the day, month and year, for example 14 6 2025.")
        return value


class GdsForm(forms.Form):
    """A form rendered by crispy-forms-gds with one primary button; errors go in the page's error summary."""

    submit_label = "Continue"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        if self.submit_label:
            self.helper.add_input(Submit("submit", self.submit_label))
        else:
            # Part of a bigger page form (with a formset beside it): the template owns <form> and buttons.
            self.helper.form_tag = False


class PackageForm(GdsForm):
    """The ISA's details except its visits (a formset alongside). Rendered field by field in the template."""

    submit_label = ""

    agreement = forms.ModelChoiceField(label="Agreement", queryset=Agreement.objects.order_by("name"), empty_label=None)
    lot_number = forms.IntegerField(
        label="Lot number (lead provider agreements only)",
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    external_reference = forms.CharField(label="Case-management reference (optional)", max_length=100, required=False)
    mosaic_person_id = forms.CharField(label="Mosaic person ID", max_length=50, required=False)
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = DateInputField(label="Date of birth", required=False, help_text="For example, 27 3 1940")
    address_line_1 = forms.CharField(label="Address line 1", max_length=200)
    address_line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
    )
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)
    locality_area = forms.ModelChoiceField(
        label="Locality area",
        queryset=LocalityArea.objects.all(),
        required=False,
        empty_label="Work it out from the postcode",
    )
    requested_start_on = DateInputField(label="Care needed from", help_text="For example, 14 6 2025")
    urgency = forms.ChoiceField(
        label="Urgency", choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.ROUTINE
    )
    housing_with_care = forms.BooleanField(label="The person lives in a Housing with Care scheme", required=False)
    required_skills = forms.MultipleChoiceField(
        label="Needs", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.CharField(label="Language carers must speak (optional)", max_length=50, required=False)
    carer_gender = forms.ChoiceField(
        label="Carer gender", choices=CarerGender.choices, widget=forms.RadioSelect, initial=CarerGender.ANY
    )
    care_needs = forms.CharField(
        label="Care needs (optional)",
        help_text="Shared with every provider offered the package, before the award. For example: uses a hoist; "
        "diabetic, needs prompting with insulin. No names, addresses or access codes here.",
        required=False,
        max_length=TEXT_LIMITS["care_needs"],
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    special_requirements = forms.CharField(
        label="Access details and private notes (optional)",
        help_text="Shown only to the provider the package is awarded to. For example: key safe code, door entry, "
        "who to call on arrival.",
        required=False,
        max_length=TEXT_LIMITS["special_requirements"],
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    funding = forms.ChoiceField(label="Funding", choices=Funding.choices, initial=Funding.COUNCIL)
    postcode_override_reason = forms.CharField(
        label="Postcode not found? Why place the person by postcode district (optional)",
        help_text="Only when the postcode is right but too new for the ONS postcode lookup. The person is placed at "
        "the centre of the postcode district, and your reason is recorded.",
        required=False,
        max_length=TEXT_LIMITS["postcode_override_reason"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VisitForm(forms.Form):
    day_of_week = forms.TypedChoiceField(label="Day", choices=Visit.Day.choices, coerce=int)
    window_start = forms.TimeField(
        label="From", widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M")
    )
    window_end = forms.TimeField(
        label="Until", widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        min_value=15,
        max_value=720,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    carers = forms.TypedChoiceField(label="Carers", choices=[(1, "1"), (2, "2 (double-handed)")], coerce=int, initial=1)

    def has_changed(self) -> bool:
        # A spare row is blank whatever its carers select says, so the formset skips it.
        return any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("day_of_week", "window_start", "window_end", "duration_minutes")
        )


# One row to start with; "Add another visit" (``brokerage.visit_rows``) adds more, up to a week's cap and a few
# spare. ``absolute_max`` bounds a forged row count.
VisitFormSet = formset_factory(
    VisitForm, extra=0, min_num=1, validate_min=True, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


def quietly_bound(form: forms.BaseForm, formset: Any) -> None:
    """Show what was typed without its errors: the visit rows were edited, nothing was submitted yet."""
    form.errors.clear()
    for errors in formset.errors:
        errors.clear()
    formset.non_form_errors().clear()


def filled_visit_forms(visits: Any) -> list[forms.Form]:
    """The visit rows that became the ISA's visits, in order (blank spare rows are skipped)."""
    return [visit for visit in visits.forms if visit.cleaned_data]


def isa_from_forms(form: PackageForm, visits: Any) -> IsaData:
    data = form.cleaned_data
    area = data.get("locality_area")
    return IsaData(
        source_system="web",
        external_reference=data["external_reference"],
        agreement_reference=data["agreement"].reference,
        lot_number=data["lot_number"],
        locality_area_code=area.code if area else "",
        person=PersonData(
            given_name=data["given_name"],
            family_name=data["family_name"],
            address_line_1=data["address_line_1"],
            postcode=data["postcode"],
            mosaic_person_id=data["mosaic_person_id"],
            date_of_birth=data["date_of_birth"],
            address_line_2=data["address_line_2"],
            town=data["town"],
            phone=data["phone"],
        ),
        visits=tuple(
            VisitData(v["day_of_week"], v["window_start"], v["window_end"], v["duration_minutes"], v["carers"])
            for v in (visit.cleaned_data for visit in filled_visit_forms(visits))
        ),
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


class ReasonForm(GdsForm):
    submit_label = "Cancel the package"
    reason = forms.CharField(label="Why is the package being cancelled?", widget=forms.Textarea(attrs={"rows": 3}))


class ManualAwardForm(GdsForm):
    submit_label = "Award the package"
    provider = forms.ModelChoiceField(label="Provider", queryset=Provider.objects.none())
    start_on = DateInputField(label="Care starts on", required=False, help_text="For example, 14 6 2025")
    reason = forms.CharField(
        label="Why are you awarding this package directly?", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = providers


class RebrokerForm(GdsForm):
    submit_label = "Broker again"
    reason = forms.CharField(label="What has changed?", widget=forms.Textarea(attrs={"rows": 3}))


class CsvImportForm(GdsForm):
    submit_label = "Check and import"
    file = forms.FileField(
        label="CSV file of packages",
        help_text="Every row is checked first; nothing is saved unless all rows are valid.",
    )


class AcceptForm(GdsForm):
    submit_label = "Accept this package"
    start_on = DateInputField(label="When can you start care?", help_text="For example, 14 6 2025")

    def clean_start_on(self) -> date:
        value: date = self.cleaned_data["start_on"]
        return value


class DeclineForm(GdsForm):
    submit_label = "Decline this package"
    reason = forms.ChoiceField(label="Why are you declining?", choices=DeclineReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Anything else the council should know (needed for another reason)",
        required=False,
        max_length=DECLINE_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == DeclineReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say why you are declining.")
        return data


class HandBackForm(GdsForm):
    submit_label = "Hand the package back"
    effective_on = DateInputField(
        label="Last day you will deliver care",
        help_text="Give the council as much notice as you can. For example, 30 6 2025",
    )
    reason = forms.ChoiceField(
        label="Why are you handing the package back?", choices=HandBack.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="More detail (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CareStartedForm(GdsForm):
    submit_label = "Record the start of care"
    started_on = DateInputField(label="Day care started", help_text="For example, 14 6 2025")


class CapacityForm(forms.Form):
    area_id = forms.IntegerField(widget=forms.HiddenInput)
    hours = forms.DecimalField(
        label="Hours a week",
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )


CapacityFormSet = formset_factory(CapacityForm, extra=0)


class CapabilitiesForm(GdsForm):
    submit_label = ""
    double_handed = forms.BooleanField(label="We can staff double-handed calls", required=False)
    lead_time_days = forms.IntegerField(
        label="Days you need to start a new package",
        min_value=0,
        max_value=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    skills = forms.MultipleChoiceField(
        label="Needs your staff are trained for",
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label="Languages your carers speak",
        help_text="Separate with commas, e.g. English, Urdu, Polish",
        required=False,
    )
    carer_genders = forms.MultipleChoiceField(
        label="Carers you can send",
        choices=[("female", "Female carers"), ("male", "Male carers")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    visits_from = forms.TimeField(
        label="Earliest visit you cover",
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M"),
    )
    visits_until = forms.TimeField(
        label="Latest visit end you cover",
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5"}, format="%H:%M"),
    )

    urgent_offer_sms_number = forms.RegexField(
        label="Mobile number for a text message about each urgent offer (optional)",
        help_text="Leave blank for email only. For example 07700 900123",
        regex=r"^(\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}$",
        error_messages={"invalid": "Enter a UK mobile number, like 07700 900123"},
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("visits_from"), data.get("visits_until")
        if start and end and end <= start:
            self.add_error("visits_until", "The latest visit end must be after the earliest visit.")
        return data
