"""The officer's provider-list filter form (GET, so a filtered list can be bookmarked and shared)."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from providers.models import LocalityArea, PostcodeDistrict, RegistrationStatus
from providers.quality import Rating
from providers.selectors import NOT_YET_RATED_FILTER, ProviderFilters, service_type_names

RATING_FILTER_CHOICES = [
    ("", "Any rating"),
    *[(r.value, r.value) for r in (Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)],
    (NOT_YET_RATED_FILTER, "Not yet rated"),
]


class ProviderFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=100, help_text="Provider or location name, CQC ID or postcode"
    )
    rating = forms.ChoiceField(label="Current CQC rating", required=False, choices=RATING_FILTER_CHOICES)
    area = forms.ModelChoiceField(
        label="Locality area", required=False, queryset=LocalityArea.objects.all(), empty_label="Any area"
    )
    registration_status = forms.ChoiceField(
        label="Registration status",
        required=False,
        choices=[("", "Any status"), *RegistrationStatus.choices],
    )
    service_type = forms.ChoiceField(label="Service type", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service_type = cast(forms.ChoiceField, self.fields["service_type"])
        service_type.choices = [("", "Any service type")] + [(n, n) for n in service_type_names()]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("q"),
            Field.select("rating"),
            Field.select("area"),
            Field.select("registration_status"),
            Field.select("service_type"),
            Button.primary("apply", "Apply filters"),
        )

    def filters(self) -> ProviderFilters:
        data = self.cleaned_data
        area = data.get("area")
        return ProviderFilters(
            q=data.get("q") or "",
            rating=data.get("rating") or "",
            area_id=area.pk if area else None,
            registration_status=data.get("registration_status") or "",
            service_type=data.get("service_type") or "",
        )


class WardAreaForm(forms.Form):
    """Move one ward to another locality area, with the reason kept in the audit trail."""

    area = forms.ModelChoiceField(
        label="Locality area",
        queryset=LocalityArea.objects.all(),
        required=False,
        empty_label="No area",
        error_messages={"invalid_choice": "Choose one of the locality areas"},
    )
    reason = forms.CharField(
        label="Why are you moving this ward?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are moving this ward"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.select("area"), Field.textarea("reason"), Button.primary("save", "Save"))


class DistrictOverrideForm(forms.Form):
    """Place a whole postcode district in one locality area, or remove that override."""

    district = forms.CharField(
        label="Postcode district",
        max_length=4,
        help_text="The first part of a postcode, for example LS29",
        error_messages={"required": "Enter a postcode district, like LS29"},
    )
    area = forms.ModelChoiceField(
        label="Locality area",
        queryset=LocalityArea.objects.all(),
        required=False,
        empty_label="No override (use the area of its wards)",
    )
    reason = forms.CharField(
        label="Why?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are changing this district"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("district", field_width=5),
            Field.select("area"),
            Field.textarea("reason"),
            Button.primary("save", "Save district"),
        )

    def clean_district(self) -> PostcodeDistrict:
        outward = self.cleaned_data["district"].strip().upper()
        district = PostcodeDistrict.objects.filter(outward=outward).first()
        if district is None:
            raise forms.ValidationError("Enter a postcode district we know, like LS29 (load the postcodes first)")
        return district
