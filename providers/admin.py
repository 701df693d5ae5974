from django.contrib import admin

from providers.models import Provider, ProviderStaff


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin[Provider]):
    list_display = ["name", "cqc_provider_id", "is_demo"]
    search_fields = ["name", "cqc_provider_id"]


@admin.register(ProviderStaff)
class ProviderStaffAdmin(admin.ModelAdmin[ProviderStaff]):
    list_display = ["user", "provider"]
    autocomplete_fields = ["provider"]
