"""Read-only admin views of brokerage: every change goes through the services, which audit it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from brokerage.models import (
    AllocationRun,
    CarePackage,
    HandBack,
    Offer,
    PackageChange,
    ProviderCapabilities,
    ProviderCapacity,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Browse and search only: an edit here would bypass the status history and the audit trail."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CarePackage)
class CarePackageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "external_reference",
        "status",
        "urgency",
        "locality_area",
        "submitted_at",
        "awarded_provider",
    ]
    list_filter = ["status", "urgency", "locality_area", "agreement"]
    search_fields = ["external_reference"]
    # The person's details live in PersonDetails, deliberately not shown here.


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["id", "package", "provider", "round_number", "rank", "status", "sent_at", "respond_by"]
    list_filter = ["status"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "package", "round_number", "policy", "engine_version", "eligible_count", "ranked_at"]


@admin.register(HandBack)
class HandBackAdmin(ReadOnlyAdmin):
    list_display = ["id", "package", "provider", "notice_given_at", "effective_on", "reason"]


@admin.register(ProviderCapacity)
class ProviderCapacityAdmin(ReadOnlyAdmin):
    list_display = ["provider", "locality_area", "hours_available_per_week", "updated_at"]
    list_filter = ["locality_area"]


@admin.register(ProviderCapabilities)
class ProviderCapabilitiesAdmin(ReadOnlyAdmin):
    list_display = ["provider", "double_handed", "lead_time_days", "updated_at"]


@admin.register(PackageChange)
class PackageChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "package", "kind", "status", "provider", "effective_from", "created_at"]
    list_filter = ["kind", "status"]
