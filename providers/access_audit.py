"""Audit the provider links and details that decide whose offers and personal details people see.

- ``provider_staff.linked`` / ``provider_staff.moved`` / ``provider_staff.unlinked``: a user linked to a
  provider organisation, moved to another, or unlinked. The link decides which provider's offers,
  and so which people's details, the user sees.
- ``provider.renamed`` / ``provider.details_changed``: a provider's name or its other identifying
  details (brand name, CQC and Companies House numbers) changed, by an officer, an admin or a CQC import.

Receivers write them, so the admin, the shell, imports and services are all recorded; the actor comes
from ``homecare.audit.actor``. Both models save in a transaction (``AuditedAccessModel``), so the
change and its event commit together. ``QuerySet.update()`` sends no signals and is not audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from homecare.audit.actions import AuditAction
from homecare.audit.actor import current_actor
from homecare.audit.services import audit_record
from providers.models import AuditedAccessModel, Provider, ProviderStaff

PROVIDER_IDENTITY_FIELDS = ["name", "brand_name", "cqc_provider_id", "companies_house_number"]
STAFF_LINK_FIELDS = ["user_id", "provider_id"]


def _stored(instance: AuditedAccessModel, fields: list[str]) -> dict[str, Any] | None:
    """The values the row has in the database now, or ``None`` for a new row."""
    if instance._state.adding:
        return None
    loaded = getattr(instance, "loaded_values", {})
    if all(field in loaded for field in fields):
        return {field: loaded[field] for field in fields}
    # Loaded with those fields deferred, or built by hand with a primary key: ask the database.
    stored: dict[str, Any] | None = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    return stored


def _remember(sender: type[AuditedAccessModel], instance: AuditedAccessModel, **kwargs: Any) -> None:
    fields = PROVIDER_IDENTITY_FIELDS if sender is Provider else STAFF_LINK_FIELDS
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not _touches(update_fields, fields):
        return
    instance._audit_before = _stored(instance, fields)  # type: ignore[attr-defined]


def _provider_saved(sender: type[Provider], instance: Provider, created: bool, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_audit_before", None)
    _refresh_loaded(instance, PROVIDER_IDENTITY_FIELDS, kwargs.get("update_fields"))
    if created or before is None:
        return  # a new provider (e.g. from a CQC import) changes nobody's access
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in PROVIDER_IDENTITY_FIELDS
        if before[field] != getattr(instance, field)
    }
    if not changes:
        return
    renamed = "name" in changes
    audit_record(
        actor=current_actor(),
        action=AuditAction.PROVIDER_RENAMED if renamed else AuditAction.PROVIDER_DETAILS_CHANGED,
        target=instance,
        summary=(
            f"Provider “{before['name']}” renamed “{instance.name}”"
            if renamed
            else f"Provider “{instance.name}”: {', '.join(f.replace('_', ' ') for f in changes)} changed"
        ),
        data={"changes": changes},
    )


def _staff_saved(sender: type[ProviderStaff], instance: ProviderStaff, created: bool, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_audit_before", None)
    _refresh_loaded(instance, STAFF_LINK_FIELDS, kwargs.get("update_fields"))
    username = instance.user.get_username()
    if created:
        _record_link(instance, AuditAction.PROVIDER_STAFF_LINKED, f"{username} linked to {instance.provider}")
    elif before is not None and before != {"user_id": instance.user_id, "provider_id": instance.provider_id}:
        _record_link(
            instance,
            AuditAction.PROVIDER_STAFF_MOVED,
            f"{username} moved to {instance.provider}",
            previous_provider_id=before["provider_id"],
            previous_user_id=before["user_id"],
        )


def _staff_deleted(sender: type[ProviderStaff], instance: ProviderStaff, **kwargs: Any) -> None:
    _record_link(
        instance,
        AuditAction.PROVIDER_STAFF_UNLINKED,
        f"{instance.user.get_username()} unlinked from {instance.provider}",
    )


def _record_link(instance: ProviderStaff, action: AuditAction, summary: str, **extra: Any) -> None:
    audit_record(
        actor=current_actor(),
        action=action,
        target=instance,
        summary=summary,
        data={
            "user": instance.user.get_username(),
            "user_id": instance.user_id,
            "provider": instance.provider.name,
            "provider_id": instance.provider_id,
            **extra,
        },
    )


def _touches(update_fields: Any, fields: list[str]) -> bool:
    """Whether a save limited to ``update_fields`` (names or attnames) writes any of ``fields`` (attnames)."""
    return bool({name.removesuffix("_id") for name in update_fields} & {f.removesuffix("_id") for f in fields})


def _refresh_loaded(instance: AuditedAccessModel, fields: list[str], update_fields: Any) -> None:
    """After a save the row holds the saved values: the next save compares against those."""
    saved = [f for f in fields if update_fields is None or _touches(update_fields, [f])]
    loaded = getattr(instance, "loaded_values", {})
    instance.loaded_values = {**loaded, **{field: getattr(instance, field) for field in saved}}


def connect() -> None:
    for model in (Provider, ProviderStaff):
        pre_save.connect(_remember, sender=model, dispatch_uid=f"providers.audit.remember.{model.__name__}")
    post_save.connect(_provider_saved, sender=Provider, dispatch_uid="providers.audit.provider_saved")
    post_save.connect(_staff_saved, sender=ProviderStaff, dispatch_uid="providers.audit.staff_saved")
    post_delete.connect(_staff_deleted, sender=ProviderStaff, dispatch_uid="providers.audit.staff_deleted")
