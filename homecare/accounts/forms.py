"""Forms for the second factor and for Django's own password forms, laid out with crispy-forms-gds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User

if TYPE_CHECKING:
    _SetPasswordForm = SetPasswordForm[User]  # generic in django-stubs only, not at run time
else:
    _SetPasswordForm = SetPasswordForm


def _gds_helper(form: forms.Form, submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "post"
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(*form.fields, Button.primary("submit", submit_label))
    return helper


class TotpCodeForm(forms.Form):
    """A 6-digit code from an authenticator app. Spaces are forgiven (apps show "123 456")."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows for Homecare brokerage, for example 123456.",
        max_length=9,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args: Any, submit_label: str = "Continue", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _gds_helper(self, submit_label)
        self.helper.layout = Layout(Field.text("code", field_width=5), Button.primary("submit", submit_label))

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the code as 6 digits, for example 123456")
        return code


class GdsPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _gds_helper(self, "Change password")


class GdsPasswordResetForm(PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "The email address your account was set up with."
        self.helper = _gds_helper(self, "Send the reset link")


class GdsSetPasswordForm(_SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _gds_helper(self, "Save the new password")
