"""Officer pages for the council's locality areas: which wards make each area, and district overrides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from homecare.accounts.audiences import Audience, audience_required
from providers.areas import district_set_area_override, ward_assign_area
from providers.forms import DistrictOverrideForm, WardAreaForm
from providers.models import LocalityArea, PostcodeDistrict, Ward


def _officer(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@audience_required(Audience.OFFICER)
def area_list(request: HttpRequest) -> HttpResponse:
    areas = LocalityArea.objects.prefetch_related("wards")
    return render(
        request,
        "providers/area_list.html",
        {
            "areas": areas,
            "unassigned": Ward.objects.filter(area__isnull=True),
            "overrides": PostcodeDistrict.objects.filter(locality_area_override__isnull=False).select_related(
                "locality_area_override"
            ),
        },
    )


@audience_required(Audience.OFFICER)
def ward_edit(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = get_object_or_404(Ward.objects.select_related("area"), pk=ward_id)
    form = WardAreaForm(request.POST or None, initial={"area": ward.area})
    if request.method == "POST" and form.is_valid():
        ward_assign_area(
            ward=ward, area=form.cleaned_data["area"], actor=_officer(request), reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{ward.name} ward is now in {ward.area.name if ward.area else 'no area'}.")
        return redirect("commissioning:providers:areas")
    return render(request, "providers/ward_edit.html", {"ward": ward, "form": form})


@audience_required(Audience.OFFICER)
def district_override(request: HttpRequest) -> HttpResponse:
    form = DistrictOverrideForm(request.POST or None, initial={"district": request.GET.get("district", "")})
    if request.method == "POST" and form.is_valid():
        district = district_set_area_override(
            district=form.cleaned_data["district"],
            area=form.cleaned_data["area"],
            actor=_officer(request),
            reason=form.cleaned_data["reason"],
        )
        area = district.locality_area_override
        messages.success(request, f"Postcode district {district.outward}: {area.name if area else 'override removed'}.")
        return redirect("commissioning:providers:areas")
    return render(request, "providers/district_override.html", {"form": form})
