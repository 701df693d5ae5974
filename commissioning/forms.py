"""Officer forms for commissioning (GOV.UK styled with crispy-forms-gds, like the contracts forms)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.contrib.auth.models import User

from commissioning.exclusions import EXCLUSION_GROUNDS
from commissioning.models import (
    ApplicationOutcome,
    Bid,
    CareModel,
    HoursBank,
    NoticeKind,
    OutcomeProgress,
    TaskStatus,
    TenderLot,
)
from commissioning.models.tenders import EVALUATION_METHOD_CHOICES, SOCIAL_VALUE_MODE_CHOICES
from commissioning.timetable_templates import TEMPLATES
from contracts.forms import GdsForm
from contracts.models import Agreement
from homecare.accounts.audiences import Audience
from providers.models import CqcLocation, LocalityArea, Provider


class BidChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.provider.name} ({obj.lot})"


class DeclarationForm(GdsForm):
    submit_label = "Make my declaration"
    declaration = forms.CharField(
        label="Your declaration",
        help_text="Say whether you have any personal, financial or professional interest in any bidder.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    conflicted_bids = BidChoiceField(
        label="Bidders you have a conflict of interest with",
        help_text="You will not see or score these bids.",
        queryset=Bid.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, tender_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conflicted_bids"].queryset = Bid.objects.filter(  # type: ignore[attr-defined]
            lot__tender_id=tender_id
        ).select_related("provider", "lot")


class TimetableCreateForm(GdsForm):
    submit_label = "Create timetable"
    template_code = forms.ChoiceField(
        label="Template",
        choices=[(t.code, t.name + (" (reconstructed)" if t.reconstructed else "")) for t in TEMPLATES.values()],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label="Name", max_length=255, required=False, help_text="Leave blank for the template's name."
    )
    start_on = DateInputField(label="Starts on", required=False, help_text="Not needed for Neighbourhood Networks v10.")


class TaskMoveForm(GdsForm):
    submit_label = "Show the effect on other tasks"
    wording = forms.CharField(
        label="New planned date, as you would write it",
        max_length=100,
        help_text='For example "Mid January 2009", "April/May 2009", "12 March 2009" or "To be decided".',
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class TaskStatusForm(GdsForm):
    submit_label = "Save status"
    status = forms.ChoiceField(label="Status", choices=TaskStatus.choices, widget=forms.RadioSelect)


class NoticeForm(GdsForm):
    submit_label = "Record notice"
    kind = forms.ChoiceField(label="Notice", choices=NoticeKind.choices, widget=forms.RadioSelect)
    published_on = DateInputField(label="Published on")
    reference = forms.CharField(label="Notice reference", max_length=100)
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MarketDecisionForm(GdsForm):
    submit_label = "Record decision"
    outcome = forms.ChoiceField(label="Decision", choices=ApplicationOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}))
    override_justification = forms.CharField(
        label="Justification, if the decision goes against the assessment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CareModelMoveForm(GdsForm):
    submit_label = "Move care"
    person_reference = forms.CharField(label="Person's reference", max_length=50)
    to_model = forms.ChoiceField(label="Move to", choices=CareModel.choices, widget=forms.RadioSelect)
    bank = forms.ModelChoiceField(
        label="Neighbourhood team (when moving to the neighbourhood model)",
        queryset=HoursBank.objects.select_related("area"),
        required=False,
    )
    outcomes = forms.CharField(
        label="Agreed outcomes, one a line (when moving to the neighbourhood model)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    moved_on = DateInputField(label="Moves on")
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


GROUND_KEYS = [ground.key for ground in EXCLUSION_GROUNDS]


class HoursBankWeekForm(GdsForm):
    submit_label = "Record the week"
    week_starting = DateInputField(label="Week starting (a Monday)")
    hours_used = forms.DecimalField(
        label="Hours used",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )


class OutcomeReviewForm(GdsForm):
    submit_label = "Record the review"
    progress = forms.ChoiceField(label="Progress", choices=OutcomeProgress.choices, widget=forms.RadioSelect)
    reviewed_on = DateInputField(label="Reviewed on")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MarketRequestForm(GdsForm):
    """A supplier's request to join: its CQC locations, the three declarations, and every exclusion ground."""

    submit_label = "Send the request to join"
    locations = forms.ModelMultipleChoiceField(
        label="CQC locations you will deliver from",
        queryset=CqcLocation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    declares_contract_compliance = forms.BooleanField(
        label="We will comply with the terms of the contract", required=False
    )
    declares_staff_pay_passed_on = forms.BooleanField(
        label="We will pass the whole staff-pay element of the fee to our care workers", required=False
    )
    declares_fee_rates_accepted = forms.BooleanField(label="We accept the council's fee rates", required=False)

    def __init__(self, *args: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations  # type: ignore[attr-defined]
        for ground in EXCLUSION_GROUNDS:
            self.fields[f"applies_{ground.key}"] = forms.ChoiceField(
                label=f"Does this apply to your organisation: {ground.title}?",
                choices=[("no", "No"), ("yes", "Yes")],
                widget=forms.RadioSelect,
            )
            self.fields[f"explain_{ground.key}"] = forms.CharField(
                label=f"If yes, explain ({ground.title})", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        # The helper laid the form out before these fields existed: lay it out again, with its button.
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.submit_label))

    def exclusion_answers(self) -> dict[str, dict[str, Any]]:
        return {
            ground.key: {
                "applies": self.cleaned_data[f"applies_{ground.key}"] == "yes",
                "explanation": self.cleaned_data[f"explain_{ground.key}"],
            }
            for ground in EXCLUSION_GROUNDS
        }


class TenderCreateForm(GdsForm):
    submit_label = "Create tender"
    agreement = forms.ModelChoiceField(label="Agreement the winners join", queryset=Agreement.objects.order_by("name"))
    reference = forms.CharField(label="Reference", max_length=100)
    title = forms.CharField(label="Title", max_length=255)
    quality_weight = forms.DecimalField(label="Quality weight", initial=60, min_value=0, max_value=100)
    price_weight = forms.DecimalField(label="Price weight", initial=40, min_value=0, max_value=100)
    social_value_weight = forms.DecimalField(label="Social value weight", initial=10, min_value=0, max_value=99)
    social_value_mode = forms.ChoiceField(
        label="Social value is", choices=SOCIAL_VALUE_MODE_CHOICES, widget=forms.RadioSelect
    )
    evaluation_method = forms.ChoiceField(
        label="Evaluation", choices=EVALUATION_METHOD_CHOICES, widget=forms.RadioSelect
    )
    questions = forms.CharField(
        label="Quality questions, one a line, as weight then question",
        help_text='For example "15 Service delivery model".',
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    social_value_question = forms.CharField(label="Social value question", required=False, max_length=500)
    divergence_threshold = forms.IntegerField(
        label="Independent scores further apart than this need a moderation rationale",
        initial=1,
        min_value=0,
        max_value=5,
    )
    additional_places = forms.IntegerField(
        label="Additional providers per lot (besides the lead)", initial=0, min_value=0, max_value=50
    )

    def clean_questions(self) -> list[tuple[Decimal, str]]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            weight, _, text = line.strip().partition(" ")
            try:
                value = Decimal(weight)
            except InvalidOperation:
                raise forms.ValidationError(
                    f'Line {number}: start with the question\'s weight, e.g. "15 Workforce".'
                ) from None
            if not text.strip():
                raise forms.ValidationError(f"Line {number}: write the question after its weight.")
            parsed.append((value, text.strip()))
        if not parsed:
            raise forms.ValidationError("Write at least one quality question.")
        return parsed


class BidForm(GdsForm):
    submit_label = "Record bid"
    lot = forms.ModelChoiceField(label="Lot", queryset=TenderLot.objects.none())
    provider = forms.ModelChoiceField(label="Bidder", queryset=Provider.objects.order_by("name"))
    price = forms.DecimalField(label="Price (£)", min_value=Decimal("0.01"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, tender_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = TenderLot.objects.filter(tender_id=tender_id)  # type: ignore[attr-defined]


class DebarmentEntryForm(GdsForm):
    submit_label = "Record the entry"
    supplier_name = forms.CharField(label="Supplier's name", max_length=200)
    companies_house_number = forms.CharField(
        label="Companies House number",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    ground = forms.CharField(label="Ground for debarment", max_length=200, help_text="As the debarment list gives it.")
    mandatory = forms.BooleanField(
        label="A mandatory exclusion ground",
        required=False,
        initial=True,
        help_text="Leave unticked for a discretionary ground.",
    )
    entered_on = DateInputField(label="Entered on the list on")
    ends_on = DateInputField(label="Ends on (if the entry ends)", required=False)
    source = forms.CharField(
        label="Source", max_length=200, required=False, help_text="For example, the list's web address."
    )


class EvaluatorAddForm(GdsForm):
    submit_label = "Add to the panel"
    user = forms.ModelChoiceField(label="Officer", queryset=User.objects.none())
    organisation = forms.CharField(
        label="Organisation", max_length=150, required=False, help_text="Which partner the evaluator is from."
    )

    def __init__(self, *args: Any, tender_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = (  # type: ignore[attr-defined]
            User.objects.filter(groups__name=Audience.OFFICER.group_name, is_active=True)
            .exclude(tender_panels__tender_id=tender_id)
            .order_by("username")
            .distinct()
        )
        field.label_from_instance = lambda user: user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


class ReferralForm(GdsForm):
    submit_label = "Make the referral"
    bank = forms.ModelChoiceField(label="Neighbourhood team", queryset=HoursBank.objects.select_related("area"))
    person_reference = forms.CharField(label="Person's reference", max_length=50)
    referred_on = DateInputField(label="Referred on")
    referred_by = forms.CharField(label="Referred by", max_length=150, required=False)
    outcomes = forms.CharField(
        label="Agreed outcomes, one a line",
        help_text="What the person wants to achieve, agreed with them; the team works to these, not to visits.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


INDICATOR_SLOTS = 3


def _decimal_input(label: str, *, required: bool = False, width: int = 10) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": f"govuk-input--width-{width}"}),
    )


class FundingModelForm(GdsForm):
    """Budget and floor, up to three indicators (name, weight, source, a value per area) and current funding."""

    submit_label = "Save the funding model"
    name = forms.CharField(label="Name", max_length=150)
    budget_year = forms.CharField(label="Budget year", max_length=20, required=False, help_text="For example, 2026/27.")
    budget = forms.DecimalField(
        label="Budget (£)",
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )
    floor_percent = forms.DecimalField(
        label="Floor (% of current funding)",
        help_text="No area gets less than this share of its current funding; 100 means no area loses.",
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        initial=Decimal(100),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )

    def __init__(self, *args: Any, areas: Sequence[LocalityArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for slot in range(1, INDICATOR_SLOTS + 1):
            optional = " (optional)" if slot > 1 else ""
            self.fields[f"indicator{slot}_name"] = forms.CharField(
                label=f"Indicator {slot}: name{optional}", max_length=150, required=slot == 1
            )
            self.fields[f"indicator{slot}_weight"] = _decimal_input(f"Indicator {slot}: weight", width=5)
            self.fields[f"indicator{slot}_source"] = forms.CharField(
                label=f"Indicator {slot}: source", max_length=200, required=False
            )
            for area in self.areas:
                self.fields[f"indicator{slot}_{area.code}"] = _decimal_input(f"Indicator {slot}: value for {area.name}")
        for area in self.areas:
            self.fields[f"current_{area.code}"] = _decimal_input(f"Current funding for {area.name} (£)")
        # GdsForm built its layout before these fields existed; build it again so they are rendered.
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.submit_label))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicators: list[tuple[str, str, Decimal, str, dict[str, Decimal]]] = []
        for slot in range(1, INDICATOR_SLOTS + 1):
            name = (data.get(f"indicator{slot}_name") or "").strip()
            if not name:
                continue
            weight = data.get(f"indicator{slot}_weight")
            if weight is None:
                self.add_error(f"indicator{slot}_weight", f"Give indicator {slot}'s weight.")
                continue
            values = {}
            for area in self.areas:
                value = data.get(f"indicator{slot}_{area.code}")
                if value is None:
                    self.add_error(f"indicator{slot}_{area.code}", f"Give {name}'s value for {area.name}.")
                else:
                    values[area.code] = value
            key = "-".join(name.lower().split())[:50] or f"indicator-{slot}"
            indicators.append((key, name, weight, (data.get(f"indicator{slot}_source") or "").strip(), values))
        if len({key for key, *_ in indicators}) != len(indicators):
            raise forms.ValidationError("Give each indicator a different name.")
        data["indicators"] = indicators
        data["current_funding"] = {area.code: data.get(f"current_{area.code}") or Decimal(0) for area in self.areas}
        return data


WEIGHT_CHANGES = [("-25", "Down 25%"), ("-10", "Down 10%"), ("0", "No change"), ("10", "Up 10%"), ("25", "Up 25%")]


class FundingScenarioForm(forms.Form):
    """A GET form: the change to each indicator's weight (rendered by the funding page itself)."""

    def __init__(self, *args: Any, indicators: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_keys = [key for key, _ in indicators]
        for key, name in indicators:
            self.fields[f"change_{key}"] = forms.TypedChoiceField(
                label=name, choices=WEIGHT_CHANGES, coerce=Decimal, initial="0", required=False
            )

    def weight_changes(self) -> dict[str, Decimal]:
        if not self.is_valid():
            return {}
        return {
            key: Decimal(self.cleaned_data[f"change_{key}"])
            for key in self.indicator_keys
            if self.cleaned_data.get(f"change_{key}")
        }
