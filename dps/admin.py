"""Read-only admin views: decisions and applications change only through the audited services."""

from __future__ import annotations

from django.contrib import admin

from contracts.admin import ReadOnlyAdmin
from dps.models import ApplicationDecision, DpsRound, ProviderApplication


@admin.register(DpsRound)
class DpsRoundAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "number", "label", "opens_at", "closes_at", "status"]
    list_filter = ["agreement", "status"]


@admin.register(ProviderApplication)
class ProviderApplicationAdmin(ReadOnlyAdmin):
    list_display = ["provider", "dps_round", "status", "submitted_at"]
    list_filter = ["status", "dps_round"]
    search_fields = ["provider__name"]


@admin.register(ApplicationDecision)
class ApplicationDecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "outcome", "is_override", "decided_by", "decided_at"]
    list_filter = ["outcome", "is_override"]
