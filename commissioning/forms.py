"""Officer forms for commissioning (GOV.UK styled with crispy-forms-gds, like the contracts forms)."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from commissioning.exclusions import EXCLUSION_GROUNDS
from commissioning.models import ApplicationOutcome, Bid, CareModel, HoursBank, NoticeKind, TaskStatus
from commissioning.timetable_templates import TEMPLATES
from contracts.forms import GdsForm


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
