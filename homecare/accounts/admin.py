"""Sign-in lockouts in the admin: unlocking (deleting the failure records) always goes through the audited service."""

from __future__ import annotations

from collections.abc import Callable

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from homecare.accounts.audiences import request_user
from homecare.accounts.services import sign_in_unlock

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    actions = ["unlock", "cleanup_expired_attempts"]

    @admin.action(description="Unlock the selected sign-ins")
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        count = sign_in_unlock(
            attempt_ids=list(queryset.values_list("pk", flat=True)), unlocked_by=request_user(request)
        )
        self.message_user(
            request, f"Unlocked {count} sign-in record(s); each unlock is in the audit trail.", messages.SUCCESS
        )

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable[..., str], str, str] | None]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "Unlock" is the same deletion, audited
        return actions

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        sign_in_unlock(attempt_ids=[obj.pk], unlocked_by=request_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        sign_in_unlock(attempt_ids=list(queryset.values_list("pk", flat=True)), unlocked_by=request_user(request))
