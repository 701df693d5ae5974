"""Audit changes to who may do what: group membership (each audience is a group) and admin rights.

Receivers, not services, write these events, so a change is recorded however it is made: the Django
admin, ``createsuperuser``, the shell or a service. The actor comes from ``homecare.audit.actor``
(the signed-in admin in a request; "system" otherwise).

The events are written in the caller's transaction: the admin and every service run in one, so the
change and its event commit together. ``QuerySet.update()`` sends no signals and is not audited:
never grant rights with it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.db.models.signals import m2m_changed, post_save, pre_save

from homecare.audit.actions import AuditAction
from homecare.audit.actor import current_actor
from homecare.audit.services import audit_record

# (field, action when it becomes true, action when it becomes false, what it means)
ADMIN_FLAGS = [
    (
        "is_superuser",
        AuditAction.SUPERUSER_GRANTED,
        AuditAction.SUPERUSER_REVOKED,
        "superuser status (every permission)",
    ),
    (
        "is_staff",
        AuditAction.STAFF_STATUS_GRANTED,
        AuditAction.STAFF_STATUS_REVOKED,
        "staff status (may sign in to the Django admin)",
    ),
]
_FLAG_FIELDS = {field for field, *_ in ADMIN_FLAGS}


def _flags_before_save(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Remember the stored flags, to compare after the save (skipped when the save cannot touch them)."""
    if update_fields is not None and not (_FLAG_FIELDS & set(update_fields)):
        return  # e.g. the last_login update on every sign-in: no read
    stored = None
    if instance.pk is not None:
        stored = User.objects.filter(pk=instance.pk).values(*_FLAG_FIELDS).first()
    instance._homecare_stored_flags = stored or dict.fromkeys(_FLAG_FIELDS, False)  # type: ignore[attr-defined]


def _flags_after_save(sender: type[User], instance: User, **kwargs: Any) -> None:
    stored = instance.__dict__.pop("_homecare_stored_flags", None)
    if stored is None:
        return
    for field, granted, revoked, meaning in ADMIN_FLAGS:
        now = bool(getattr(instance, field))
        if now == bool(stored[field]):
            continue
        audit_record(
            actor=current_actor(),
            action=granted if now else revoked,
            target=instance,
            summary=f"{instance.get_username()} {'given' if now else 'no longer has'} {meaning}",
            data={"user": instance.get_username(), "field": field, "value": now},
        )


def _groups_changed(
    sender: Any, instance: User | Group, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """One event per user whose groups changed, naming the groups added or removed.

    ``user.groups`` and ``group.user_set`` both land here (``reverse`` says which side ``instance``
    is). ``clear()`` passes no ``pk_set``, so the members are read before the clear.
    """
    if action == "pre_clear":
        related = instance.user_set.all() if reverse else instance.groups.all()  # type: ignore[union-attr]
        instance._homecare_cleared = set(related.values_list("pk", flat=True))  # type: ignore[union-attr]
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    pks = instance.__dict__.pop("_homecare_cleared", set()) if action == "post_clear" else set(pk_set or ())
    if not pks:
        return  # add() of groups the user already had, or clear() of none
    change = "added" if action == "post_add" else "removed"
    if reverse:  # group.user_set.add(users...)
        group_names = [instance.name]  # type: ignore[union-attr]
        users = list(User.objects.filter(pk__in=pks))
    else:  # user.groups.add(groups...)
        group_names = sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
        users = [instance]  # type: ignore[list-item]
    for user in users:
        audit_record(
            actor=current_actor(),
            action=AuditAction.USER_GROUPS_CHANGED,
            target=user,
            summary=f"{user.get_username()} {change} {'to' if change == 'added' else 'from'} {', '.join(group_names)}",
            data={"user": user.get_username(), change: group_names},
        )


def connect() -> None:
    pre_save.connect(_flags_before_save, sender=User, dispatch_uid="accounts.audit.flags_before")
    post_save.connect(_flags_after_save, sender=User, dispatch_uid="accounts.audit.flags_after")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="accounts.audit.groups")
