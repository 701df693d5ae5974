"""GOV.UK forms for the day's decisions on a package: the award, the CCC's notes, referrals and wider searches."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from brokerage.forms import GdsForm
from brokerage.selectors import Acceptor
from brokerage.services.ccc import CONTACT_MAX, NOTE_MAX, Relaxation
from providers.models import LocalityArea


class _UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class AwardForm(GdsForm):
    """Choose one of the acceptors; the reason is required (by the service) only past a better-ranked one."""

    submit_label = "Award the package"
    offer = forms.TypedChoiceField(label="Award to", coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason (needed if you award past a better-ranked acceptor)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, acceptors: list[Acceptor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offer"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [
            (
                acceptor.offer.pk,
                f"{acceptor.provider_name}: rank {acceptor.rank or 'outside the ranking'}"
                f"{' (recommended)' if index == 0 else ''}",
            )
            for index, acceptor in enumerate(acceptors)
        ]
        if acceptors:
            self.initial.setdefault("offer", acceptors[0].offer.pk)


class CallNoteForm(GdsForm):
    submit_label = "Save the note"
    contact = forms.CharField(
        label="Who did you call? (optional)",
        help_text="For example, the provider's office, the person's daughter, Ward 12 at the LGI",
        required=False,
        max_length=CONTACT_MAX,
    )
    text = forms.CharField(
        label="What was said or agreed", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReferralForm(GdsForm):
    submit_label = "Refer to an officer"
    officer = _UserChoiceField(
        label="Officer (optional)",
        help_text="Leave blank for any officer: it goes on every officer's to-do list.",
        queryset=User.objects.none(),
        required=False,
    )
    reason = forms.CharField(
        label="What does the officer need to decide?", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = officers


class WidenedRebrokerForm(GdsForm):
    submit_label = "Broker again"
    areas = forms.ModelMultipleChoiceField(
        label="Also count providers' capacity in these areas (optional)",
        queryset=LocalityArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    relax = forms.MultipleChoiceField(
        label="Relax these conditions of the ISA (optional)",
        choices=Relaxation.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label="What has changed, and why?", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, areas: QuerySet[LocalityArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["areas"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 - declared above
        field.queryset = areas


class AlertAcknowledgeForm(GdsForm):
    submit_label = "Acknowledge the alert"
    note = forms.CharField(
        label="What is being done about it?", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = _UserChoiceField(
        label="Who owns it from here?",
        help_text="Leave blank to own it yourself.",
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = owners
