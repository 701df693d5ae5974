"""Emails to a provider's staff about changes to their packages: sent once each, lost ones sent by the sweep.

Each send is claimed with a conditional update of ``notified_at`` (as offers' emails are), so the task and
the sweep never send one twice; a failed send rolls the claim back and the sweep tries again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from brokerage.models import PackageChange
from brokerage.services.notifications import provider_staff_recipients


def _change_email(change: PackageChange) -> tuple[str, str]:
    package = change.package
    site = settings.HOMECARE_SITE_URL.rstrip("/")
    link = f"{site}{reverse('portal:brokerage:change', args=[change.pk])}"
    what = {
        PackageChange.Status.PROPOSED: "The council proposes a change to the care",
        PackageChange.Status.ACCEPTED: "The change you asked for was approved",
        PackageChange.Status.ACTIVE: "The care is suspended",
        PackageChange.Status.RESUMED: "The care resumes",
        PackageChange.Status.COMPLETED: "The care ends",
        PackageChange.Status.REFUSED: "The change you asked for was refused",
    }.get(PackageChange.Status(change.status), "A change to the care")
    respond = (
        f"\nAnswer by {timezone.localtime(change.respond_by):%H:%M on %A %d %B %Y}.\n" if change.respond_by else ""
    )
    body = (
        f"{settings.COUNCIL_NAME}: {what} for {package.reference}, from {change.effective_from:%d %B %Y}.\n"
        f"{respond}\nSee the details in the provider portal: {link}\n"
    )
    return f"{package.reference}: {what.lower()}", body


# What the provider's staff are emailed about: the changes to their care, and the answer to their request.
_NOTIFIED = Q(kind__in=(PackageChange.Kind.VARIATION, PackageChange.Kind.SUSPENSION, PackageChange.Kind.END)) | Q(
    kind=PackageChange.Kind.REQUEST, status=PackageChange.Status.REFUSED
)
# A message older than this without its email was lost (or its send failed); a day on, it is stale.
NOTIFY_GRACE = timedelta(minutes=1)
NOTIFY_GIVE_UP = timedelta(days=1)


def package_changes_unnotified(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Changes whose email to the provider should have gone by now and has not (for the beat sweep)."""
    now = now or timezone.now()
    return list(
        PackageChange.objects.filter(
            _NOTIFIED,
            provider__isnull=False,
            notified_at__isnull=True,
            created_at__lt=now - NOTIFY_GRACE,
            created_at__gte=now - NOTIFY_GIVE_UP,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def package_change_notify(*, change_id: int) -> bool:
    """Email the provider's staff about a change, once (claimed with a conditional update)."""
    with transaction.atomic():
        claimed = PackageChange.objects.filter(pk=change_id, notified_at__isnull=True, provider__isnull=False).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return False
        change = PackageChange.objects.select_related("package").get(pk=change_id)
        assert change.provider_id is not None  # claimed only with a provider  # noqa: S101
        recipients = provider_staff_recipients(change.provider_id)
        if recipients:
            subject, body = _change_email(change)
            send_mass_mail([(subject, body, None, [r]) for r in recipients], fail_silently=False)
        return True
