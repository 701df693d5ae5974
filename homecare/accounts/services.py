"""Writes about a person's own sign-in: second-factor devices, passwords, lockouts. Each is audited.

Audit actions are plain strings for now (``account.*``); they map onto ``AuditAction`` when that enum lands.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record

DEVICE_NAME = "Authenticator app"


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for set-up; any earlier unfinished set-up is discarded."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device_id: int, code: str) -> TOTPDevice | None:
    """Confirm set-up with a first code from the app; ``None`` if the code is wrong.

    1. Lock the unconfirmed device, so a double submit cannot confirm it twice.
    2. Check the code (django-otp throttles repeated wrong codes on the device itself).
    3. Confirm it, remove any older device, and record the audit event.
    """
    device: TOTPDevice | None = (
        TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    )
    if device is None or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(
        actor=user,
        action=AuditAction.MFA_ENABLED,
        target=user,
        summary=f"{user.get_username()} set up two-step verification with an authenticator app",
    )
    return device


@transaction.atomic
def totp_device_remove(*, user: User) -> None:
    """Turn two-step verification off (only offered where it is optional)."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            actor=user,
            action=AuditAction.MFA_DISABLED,
            target=user,
            summary=f"{user.get_username()} turned two-step verification off",
        )


@transaction.atomic
def password_change_record(*, user: User) -> None:
    audit_record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGED,
        target=user,
        summary=f"{user.get_username()} changed their password",
    )


@transaction.atomic
def password_reset_record(*, user: User) -> None:
    """After a reset by email link: audit it and lift a lockout on the username (the owner proved the address)."""
    axes_reset(username=user.get_username())
    audit_record(
        actor=user,
        action=AuditAction.PASSWORD_RESET,
        target=user,
        summary=f"{user.get_username()} reset their password from an emailed link",
    )


@transaction.atomic
def sign_in_unlock(*, attempt_ids: list[int], unlocked_by: User) -> int:
    """An administrator lifts lockouts: delete the failure records, one audit event each. Returns how many."""
    attempts = list(AccessAttempt.objects.select_for_update().filter(pk__in=attempt_ids).order_by("pk"))
    users = {user.username: user for user in User.objects.filter(username__in={a.username for a in attempts})}
    for attempt in attempts:
        who = attempt.username or "(no username)"
        audit_record(
            actor=unlocked_by,
            action=AuditAction.ACCOUNT_UNLOCKED,
            target=users.get(attempt.username or "", attempt),
            summary=f"Unlocked sign-in for {who} from {attempt.ip_address or 'an unknown address'}",
            data={
                "username": attempt.username,
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
            },
        )
    AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return len(attempts)
