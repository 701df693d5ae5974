"""Forms for changes after award (GOV.UK patterns through crispy-forms-gds); the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from brokerage import visit_rows
from brokerage.forms import DateInputField, GdsForm, VisitForm, VisitFormSet, filled_visit_forms
from brokerage.isa import VisitData
from brokerage.models import CarePackage, CarerGender, PackageChange, Skill
from brokerage.services.changes import DEFAULT_RESPONSE_HOURS, MAX_RESPONSE_HOURS, NOTE_MAX

DATE_HINT = "For example, 14 6 2025"


def _note(label: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class VariationForm(GdsForm):
    submit_label = ""  # the page's form also holds the visits

    effective_from = DateInputField(label="New care starts on", help_text=DATE_HINT)
    respond_within_hours = forms.IntegerField(
        label="Hours the provider has to answer",
        initial=DEFAULT_RESPONSE_HOURS,
        min_value=1,
        max_value=MAX_RESPONSE_HOURS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    exclude_current_provider = forms.BooleanField(
        label="If the provider declines, do not offer the re-brokered package to it again", required=False
    )
    required_skills = forms.MultipleChoiceField(
        label="Needs", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    carer_gender = forms.ChoiceField(label="Carer gender", choices=CarerGender.choices, widget=forms.RadioSelect)
    note = _note("What is changing and why (shown to the provider)")


class SuspendForm(GdsForm):
    submit_label = "Suspend care"
    starts_on = DateInputField(label="First day without care", help_text=DATE_HINT)
    expected_return_on = DateInputField(label="Expected return (optional)", required=False, help_text=DATE_HINT)
    reason = forms.ChoiceField(
        label="Why is care suspended?", choices=PackageChange.SuspensionReason.choices, widget=forms.RadioSelect
    )
    note = _note("More detail (optional)")


class ResumeForm(GdsForm):
    submit_label = "Resume care"
    resumed_on = DateInputField(label="Care resumes on", help_text=DATE_HINT)


class SuspensionRebrokerForm(GdsForm):
    submit_label = "Re-broker the package"
    reason = _note("Why can the provider not restart?", required=True)
    exclude_current_provider = forms.BooleanField(
        label="Do not offer the package to the current provider again", required=False, initial=True
    )


class EndForm(GdsForm):
    submit_label = "End care"
    ended_on = DateInputField(label="Last day of care", help_text=DATE_HINT)
    reason = forms.ChoiceField(
        label="Why does care end?", choices=PackageChange.EndReason.choices, widget=forms.RadioSelect
    )
    note = _note("More detail (optional)")


class ReviewForm(GdsForm):
    submit_label = "Record the review"
    reviewed_on = DateInputField(label="Day of the review", help_text=DATE_HINT)
    next_review_on = DateInputField(
        label="Next review (optional)", required=False, help_text="Leave blank for a year after this review"
    )
    note = _note("Outcome (optional)")


class WithdrawForm(GdsForm):
    submit_label = "Withdraw the variation"
    reason = _note("Why is the variation withdrawn?", required=True)


class DecideRequestForm(GdsForm):
    submit_label = "Save the decision"
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve: the new visits apply from the date below"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
    )
    effective_from = DateInputField(label="New care starts on (if approved)", required=False, help_text=DATE_HINT)
    note = _note("Reason (needed to refuse; shown to the provider)")


class AnswerVariationForm(GdsForm):
    submit_label = "Send the answer"
    answer = forms.ChoiceField(
        label="Can you deliver the new care from the date given?",
        choices=[("accept", "Yes, we accept the variation"), ("decline", "No, we cannot deliver it")],
        widget=forms.RadioSelect,
    )
    note = _note("Why not (needed to decline)")


class ProviderRequestForm(GdsForm):
    submit_label = ""
    note = _note("What should change and why? For example, the morning call needs 45 minutes", required=True)
    effective_from = DateInputField(label="From (optional)", required=False, help_text=DATE_HINT)


# Rows that may all be left empty (an officer approving the visits a provider proposed).
OptionalVisitFormSet = formset_factory(
    VisitForm, extra=1, max_num=visit_rows.MAX_ROWS, absolute_max=visit_rows.MAX_ROWS
)


def visit_formset(data: Any, package: CarePackage, *, prefill: bool = True) -> tuple[Any, str | None]:
    """The visit rows, filled with the package's current visits to edit; without ``prefill``, rows that may
    all be left empty. With the sentence about a visit-row edit (``brokerage.visit_rows.bound_rows``)."""
    if not prefill:
        return visit_rows.bound_rows(OptionalVisitFormSet, data)
    initial = [
        {
            "day_of_week": v.day_of_week,
            "window_start": v.window_start,
            "window_end": v.window_end,
            "duration_minutes": v.duration_minutes,
            "carers": v.carers,
        }
        for v in package.visits.all()
    ]
    return visit_rows.bound_rows(VisitFormSet, data, initial=initial)


def visits_from(formset: Any) -> tuple[VisitData, ...]:
    return tuple(
        VisitData(v["day_of_week"], v["window_start"], v["window_end"], v["duration_minutes"], v["carers"])
        for v in (form.cleaned_data for form in filled_visit_forms(formset))
    )


def add_change_errors(errors: dict[str, list[str]], *, form: forms.Form, formset: Any = None) -> None:
    """Put a service's field errors on the form's fields (``visits[2].x`` on the visit rows)."""
    rows = filled_visit_forms(formset) if formset is not None else []
    for path, messages in errors.items():
        for message in messages:
            if path.startswith("visits[") and rows:
                index, _, name = path[len("visits[") :].partition("].")
                if index.isdigit() and int(index) < len(rows) and name in rows[int(index)].fields:
                    rows[int(index)].add_error(name, message)
                    continue
            field = path if path in form.fields else None
            form.add_error(field, message if field else f"{path.replace('_', ' ')}: {message}")
