from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from homecare.apitokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Every user's tokens, to see and revoke (delete); revoking is audited, with the admin as actor.

    Tokens are created only by their own user, on the API tokens page, which shows the secret once.
    """

    list_display = ["name", "user", "visible_prefix", "created", "expiry", "last_used_at", "created_by"]
    list_filter = ["created", "expiry"]
    search_fields = ["name", "user__username", "token_key"]
    list_select_related = ["user", "created_by"]
    fields = readonly_fields = ("name", "user", "visible_prefix", "created", "expiry", "last_used_at", "created_by")

    @admin.display(description="Starts with")
    def visible_prefix(self, obj: ApiToken) -> str:
        return f"{obj.visible_prefix}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
