from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from homecare.webhooks.kinds import EventKind


class SubscriberCreateForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, help_text="The receiving system, for example Mosaic live interface"
    )
    url = forms.URLField(
        label="Address that receives the events",
        max_length=500,
        assume_scheme="https",
        help_text="HTTPS, for example https://mosaic.example.gov.uk/hooks/homecare",
    )
    event_kinds = forms.MultipleChoiceField(
        label="Events to send",
        help_text="Choose none to send every kind",
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provider_id = forms.IntegerField(
        label="Provider id (only for a provider's own system)",
        help_text="Leave blank for a council system. With an id, only events about that provider are sent",
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name"),
            Field.text("url"),
            Field.checkboxes("event_kinds"),
            Field.text("provider_id"),
            Button.primary("create", "Set up the subscriber"),
        )
