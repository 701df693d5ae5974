"""Read-only admin views: every change goes through the officer pages, whose services write the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from contracts.models import Agreement, FeeRate, Lot, ProviderMembership


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["name", "reference", "procurement_route", "term_start", "term_end", "allocation_policy"]
    search_fields = ["name", "reference"]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "number", "name", "locality_area"]
    list_filter = ["agreement"]


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(ReadOnlyAdmin):
    list_display = ["provider", "agreement", "lot", "role", "status", "appointed_on"]
    list_filter = ["agreement", "role", "status"]
    search_fields = ["provider__name"]


@admin.register(FeeRate)
class FeeRateAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "service_type", "effective_from", "hourly_rate", "staff_pay_element"]
    list_filter = ["agreement", "service_type"]
