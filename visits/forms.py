"""GOV.UK forms for visits and payments (crispy-forms-gds)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from brokerage.forms import DateInputField, GdsForm
from contracts.models import Agreement
from providers.models import Provider


class EcmUploadForm(GdsForm):
    submit_label = "Check and import"
    file = forms.FileField(
        label="CSV file of actual visits",
        help_text="Every row is checked first; nothing is saved unless all rows are valid.",
    )


class PayRunForm(GdsForm):
    submit_label = "Compute pay run"
    agreement = forms.ModelChoiceField(queryset=Agreement.objects.order_by("name"), label="Agreement")
    provider = forms.ModelChoiceField(queryset=Provider.objects.order_by("name"), label="Provider")
    period_start = DateInputField(label="First day of the period", help_text="For example, 2 3 2026")


class DisputeForm(GdsForm):
    submit_label = "Raise dispute"
    reason = forms.CharField(label="Why is this line wrong?", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    amount_claimed = forms.DecimalField(
        label="What should this line pay, in pounds?", min_value=Decimal("0"), max_digits=10, decimal_places=2
    )


class DisputeResolveForm(GdsForm):
    submit_label = "Resolve dispute"
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("uphold", "Uphold: issue a credit note for the difference"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label="What was decided, and why", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
