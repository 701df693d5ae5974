from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from providers.areas import district_set_area_override, ward_assign_area
from providers.models import (
    CqcImportRun,
    CqcLocation,
    CqcRating,
    LocalityArea,
    PostcodeDistrict,
    Provider,
    ProviderStaff,
    Ward,
)


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ["name", "cqc_provider_id", "registration_status", "is_demo"]
    list_filter = ["is_demo", "registration_status", "name_is_provisional"]
    search_fields = ["name", "cqc_provider_id"]


@admin.register(ProviderStaff)
class ProviderStaffAdmin(admin.ModelAdmin[ProviderStaff]):
    list_display = ["user", "provider"]
    autocomplete_fields = ["provider"]


class CqcRatingInline(admin.TabularInline[CqcRating, CqcLocation]):
    model = CqcRating
    extra = 0
    can_delete = False
    fields = (
        "report_date",
        "overall",
        "safe",
        "effective",
        "caring",
        "responsive",
        "well_led",
        "source",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CqcLocation)
class CqcLocationAdmin(admin.ModelAdmin[CqcLocation]):
    """Read-only: CQC's data changes only through an import, never by hand."""

    list_display = ["name", "location_id", "registration_status", "is_homecare_agency", "locality_area"]
    list_filter = ["registration_status", "is_homecare_agency", "locality_area"]
    search_fields = ["name", "location_id", "postcode", "provider__name"]
    inlines = [CqcRatingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CqcImportRun)
class CqcImportRunAdmin(admin.ModelAdmin[CqcImportRun]):
    list_display = ["started_at", "source", "description", "succeeded", "created", "updated", "unchanged"]
    list_filter = ["source", "succeeded"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WardInline(admin.TabularInline[Ward, LocalityArea]):
    model = Ward
    fields = ("code", "name")
    readonly_fields = ("code", "name")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LocalityArea)
class LocalityAreaAdmin(admin.ModelAdmin[LocalityArea]):
    list_display = ["name", "code", "display_order"]
    inlines = [WardInline]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin[Ward]):
    """An officer moves a ward between areas here; every CQC location is re-placed at once."""

    list_display = ["name", "code", "area"]
    list_filter = ["area"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "boundary_vintage", "area"]
    readonly_fields = ["code", "name", "boundary_vintage"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Ward, form: ModelForm[Ward], change: bool) -> None:
        ward_assign_area(ward=obj, area=form.cleaned_data["area"], actor=_actor(request))


@admin.register(PostcodeDistrict)
class PostcodeDistrictAdmin(admin.ModelAdmin[PostcodeDistrict]):
    list_display = ["outward", "area", "n_postcodes", "locality_area_override"]
    list_filter = ["locality_area_override"]
    search_fields = ["outward"]
    fields = ["outward", "area", "latitude", "longitude", "n_postcodes", "locality_area_override"]
    readonly_fields = ["outward", "area", "latitude", "longitude", "n_postcodes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PostcodeDistrict]:
        return super().get_queryset(request).select_related("locality_area_override")

    def save_model(
        self, request: HttpRequest, obj: PostcodeDistrict, form: ModelForm[PostcodeDistrict], change: bool
    ) -> None:
        district_set_area_override(
            district=obj, area=form.cleaned_data["locality_area_override"], actor=_actor(request)
        )
