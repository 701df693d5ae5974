from django.contrib import admin
from django.http import HttpRequest

from homecare.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "actor_label", "action", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["summary", "reason", "target_id", "actor_label"]
    date_hierarchy = "occurred_at"

    # The trail is append-only, even for administrators.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
