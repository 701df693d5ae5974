"""Audit every API token created or removed, however it happens (the token page, the admin, the shell).

A token is a credential: its creation and its revocation are access-control changes. knox itself
deletes a token it finds expired; that is recorded as an expiry, not a revocation.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from homecare.apitokens.models import ApiToken
from homecare.audit.actions import AuditAction
from homecare.audit.actor import current_actor
from homecare.audit.services import audit_record


def _details(token: ApiToken) -> dict[str, Any]:
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "starts_with": token.visible_prefix,
        "expires_at": token.expiry,
    }


def _token_saved(sender: type[ApiToken], instance: ApiToken, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    audit_record(
        actor=current_actor(),
        action=AuditAction.API_TOKEN_CREATED,
        target=instance,
        summary=f"API token “{instance.name}” created for {instance.user.get_username()}",
        data=_details(instance),
    )


def _token_deleted(sender: type[ApiToken], instance: ApiToken, **kwargs: Any) -> None:
    expired = instance.has_expired()
    audit_record(
        actor=None if expired else current_actor(),  # knox removes expired tokens: nobody chose to
        action=AuditAction.API_TOKEN_EXPIRED if expired else AuditAction.API_TOKEN_REVOKED,
        target=instance,
        summary=(
            f"API token “{instance.name}” of {instance.user.get_username()} "
            + ("expired and was removed" if expired else "revoked")
        ),
        data=_details(instance),
    )


def connect() -> None:
    post_save.connect(_token_saved, sender=ApiToken, dispatch_uid="apitokens.audit.saved")
    post_delete.connect(_token_deleted, sender=ApiToken, dispatch_uid="apitokens.audit.deleted")
