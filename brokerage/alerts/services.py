"""Raise, email and acknowledge CCC alerts.

What raises an alert (checked by the beat task every five minutes):

* **Deadline breach**: a package still waiting to be placed (brokering or unplaced) after its placement
  deadline (set per urgency by the agreement). One alert per package.
* **Provider not responding**: a provider has let ``UNRESPONSIVE_AFTER_EXPIRED`` offers in a row expire
  without accepting or declining (counting offers sent since its last answer, looking back
  ``UNRESPONSIVE_LOOKBACK``). One alert per run of silence: the provider answering an offer ends the run,
  and a later run raises a new alert.

Each alert is emailed to CCC staff exactly once: the send is claimed with a conditional update of
``emailed_at`` in the same transaction, so a second or concurrent run finds nothing to send, and a failed
send rolls the claim back to be tried again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from brokerage.alerts.models import Alert
from brokerage.models import CarePackage, Offer, PackageNote
from homecare.accounts.audiences import Audience, is_member
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.notify.sending import MESSAGE_HEADER
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.outbox import event_record
from providers.models import Provider

UNRESPONSIVE_AFTER_EXPIRED = 3
UNRESPONSIVE_LOOKBACK = timedelta(days=30)


class AlertAlreadyAcknowledged(Exception):
    """Someone else acknowledged the alert first; the message says who and when."""


@dataclass(frozen=True)
class DetectedAlert:
    kind: str
    dedupe_key: str
    summary: str
    package_id: int | None = None
    provider_id: int | None = None


def breached_deadlines(*, now: datetime) -> list[DetectedAlert]:
    packages = CarePackage.objects.filter(status__in=CarePackage.OPEN_STATUSES, deadline_at__lt=now).values_list(
        "pk", "deadline_at", "urgency"
    )
    return [
        DetectedAlert(
            kind=Alert.Kind.DEADLINE_BREACH,
            dedupe_key=f"deadline:{pk}",
            summary=(
                f"ISA-{pk:06d} ({urgency.replace('_', ' ')}) is not placed and its placement deadline passed at "
                f"{timezone.localtime(deadline):%H:%M on %d %B %Y}."
            ),
            package_id=pk,
        )
        for pk, deadline, urgency in packages
    ]


def unresponsive_providers(*, now: datetime) -> list[DetectedAlert]:
    last_answer = (
        Offer.objects.filter(provider_id=OuterRef("provider_id"), responded_at__isnull=False)
        .order_by("-responded_at")
        .values("responded_at")[:1]
    )
    runs = (
        Offer.objects.filter(status=Offer.Status.EXPIRED, sent_at__gte=now - UNRESPONSIVE_LOOKBACK)
        .annotate(last_answer=Subquery(last_answer))
        .filter(Q(last_answer__isnull=True) | Q(sent_at__gt=F("last_answer")))
        .values("provider_id")
        .annotate(expired=Count("id"), since=Max("last_answer"))
        .filter(expired__gte=UNRESPONSIVE_AFTER_EXPIRED)
    )
    names = dict(Provider.objects.filter(pk__in=[row["provider_id"] for row in runs]).values_list("pk", "name"))
    detected = []
    for row in runs:
        since: datetime | None = row["since"]
        detected.append(
            DetectedAlert(
                kind=Alert.Kind.PROVIDER_UNRESPONSIVE,
                dedupe_key=f"unresponsive:{row['provider_id']}:{since.isoformat() if since else 'never'}",
                summary=(
                    f"{names.get(row['provider_id'], row['provider_id'])} has let {row['expired']} offers in a row "
                    "expire without an answer"
                    + (f" since its last answer at {timezone.localtime(since):%H:%M on %d %B %Y}." if since else ".")
                ),
                provider_id=row["provider_id"],
            )
        )
    return detected


def alerts_raise(*, now: datetime | None = None) -> list[Alert]:
    """Record every alert not raised before; returns the new ones. Safe to run twice, or at once."""
    now = now or timezone.now()
    return alerts_record([*breached_deadlines(now=now), *unresponsive_providers(now=now)], now=now)


def alerts_record(detected_alerts: list[DetectedAlert], *, now: datetime) -> list[Alert]:
    """Record each detected alert once (by its ``dedupe_key``), audited; other apps' detectors call this too."""
    created: list[Alert] = []
    for detected in detected_alerts:
        with transaction.atomic():
            alert, is_new = Alert.objects.get_or_create(
                dedupe_key=detected.dedupe_key,
                defaults={
                    "kind": detected.kind,
                    "summary": detected.summary[:500],
                    "package_id": detected.package_id,
                    "provider_id": detected.provider_id,
                    "raised_at": now,
                },
            )
            if is_new:
                audit_record(
                    actor=None,
                    action=AuditAction.ALERT_RAISED,
                    target=alert,
                    summary=alert.summary,
                    data={"kind": alert.kind, "package": alert.package_id, "provider": alert.provider_id},
                )
                # For the council's systems only (no provider_id): an alert is about a provider, not for it.
                event_record(
                    kind=EventKind.ALERT_RAISED,
                    ordering_key=f"package:{alert.package_id}" if alert.package_id else f"alert:{alert.pk}",
                    payload={
                        "alert": {
                            "id": alert.pk,
                            "kind": alert.kind,
                            "summary": alert.summary,
                            "raised_at": alert.raised_at,
                            "package_id": alert.package_id,
                            "provider_id": alert.provider_id,
                        }
                    },
                )
                created.append(alert)
    return created


def ccc_recipients() -> list[str]:
    return sorted(
        User.objects.filter(groups__name=Audience.CCC.group_name, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def alert_email(alert_id: int, *, recipients: list[str]) -> bool:
    """Email one alert to CCC staff unless it has been emailed already. True when this call sent it."""
    with transaction.atomic():
        claimed = Alert.objects.filter(pk=alert_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
        if not claimed:
            return False
        alert = Alert.objects.get(pk=alert_id)
        if recipients:
            # A failure to send raises, rolling back the claim, so the next run tries again.
            EmailMessage(
                subject=f"CCC alert: {alert.get_kind_display()}",
                body=(
                    f"{alert.summary}\n\nSee and acknowledge it on the Care Communications Centre dashboard "
                    f"({reverse('ccc:home')}).\n"
                ),
                to=recipients,
                headers={MESSAGE_HEADER: "alert_email"},  # its GOV.UK Notify template, when Notify sends email
            ).send()
        return True


def alerts_email_pending() -> int:
    """Email every alert not yet emailed; returns how many this run sent."""
    recipients = ccc_recipients()
    pending = list(Alert.objects.filter(emailed_at__isnull=True).order_by("raised_at").values_list("pk", flat=True))
    return sum(alert_email(pk, recipients=recipients) for pk in pending)


class AlertAcknowledgementInvalid(ValueError):
    """The acknowledgement lacks its note, or names an owner who cannot follow the alert up."""


@transaction.atomic
def alert_acknowledge(*, alert_id: int, acknowledged_by: User, note: str, owner: User | None = None) -> Alert:
    """A member of CCC staff acknowledges an alert (it leaves the open list), saying what is being done and
    who owns it from here (``owner``, the acknowledger by default: CCC staff or an officer); audited.

    An alert about a package also leaves a note on the package's working record.
    """
    # Lock the alert row only ("of self"): its package is a nullable join, which PostgreSQL cannot lock.
    alert = Alert.objects.select_for_update(of=("self",)).select_related("package").get(pk=alert_id)
    if alert.acknowledged_at is not None:
        raise AlertAlreadyAcknowledged(alert.acknowledged_summary())
    if not note.strip():
        raise AlertAcknowledgementInvalid("Write what is being done about the alert.")
    owner = owner or acknowledged_by
    if not (is_member(owner, Audience.CCC) or is_member(owner, Audience.OFFICER)):
        raise AlertAcknowledgementInvalid(f"{owner.get_username()} is neither CCC staff nor an officer.")
    now = timezone.now()
    alert.acknowledged_at = now
    alert.acknowledged_by = acknowledged_by
    alert.acknowledgement_note = note.strip()
    alert.owner = owner
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note", "owner"])
    if alert.package is not None:
        PackageNote.objects.create(
            package=alert.package,
            kind=PackageNote.Kind.ALERT,
            written_at=now,
            author=acknowledged_by,
            author_label=acknowledged_by.get_username(),
            text=f"{alert.summary}: {alert.acknowledgement_note}",
            owner=owner,
        )
    audit_record(
        actor=acknowledged_by,
        action=AuditAction.ALERT_ACKNOWLEDGED,
        target=alert,
        summary=f"Acknowledged: {alert.summary} (owner {owner.get_username()})",
        reason=alert.acknowledgement_note,
        data={"owner": owner.pk},
    )
    return alert


def open_alerts(*, limit: int = 10) -> tuple[list[Alert], int]:
    """The newest unacknowledged alerts and how many there are in all (two queries)."""
    alerts = Alert.objects.filter(acknowledged_at__isnull=True)
    return list(alerts.select_related("package", "provider")[:limit]), alerts.count()
