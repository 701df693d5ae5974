"""Emails to providers' staff: a new offer to answer, and an award.

Under the ranked-DPS policy the council notifies eligible providers of a new package; every policy's offers
(ranked round, cascade step, lead provider's first refusal) are emailed the same way. Each offer is emailed
once to the staff of the provider organisation (``providers.ProviderStaff`` users with an email address),
and the winner once more on award.

What an email may say is what the portal shows a provider before award: the package reference, area,
postcode district, hours a week, urgency, the respond-by time and a link to the offer page. Never the
person's name, address or any other personal detail: those stay behind the portal's sign-in, where only the
awarded provider can read them. This module deliberately never loads ``PersonDetails``.

Offers are emailed per provider: one message lists every pending offer of that provider not yet emailed, so
a package offered to thirty providers is thirty emails, and thirty packages offered to one provider within
the same few seconds (a burst of referrals) are one email to it, not thirty: brokering sends the email task
``HOMECARE_OFFER_EMAIL_BATCH_SECONDS`` after the offers, and whichever task runs first takes them all.

Sending is claimed in the same transaction as the send: the provider's unsent offers are locked with
``SELECT ... FOR UPDATE SKIP LOCKED`` and marked ``notified_at`` (awards: a conditional update of
``award_notified_at``), so a second or concurrent run sends nothing for them, and a failed send rolls the
claim back for the beat sweep to try again. The sweep also recovers any email whose task was lost. This is
exactly once for every run that commits; a worker killed after the email provider took a message but before
the commit leaves the offer unsent in the database, and the sweep sends it again: at least once, never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Offer, ProviderCapabilities
from contracts.models import Urgency
from homecare.notify.sending import MESSAGE_HEADER, notify_sms_send

# An offer's email whose task has not run after this long is taken as lost and sent by the sweep.
NOTIFY_GRACE = timedelta(minutes=1)
# Awards older than this are not emailed by the sweep: after a day the provider has long seen it in the portal.
AWARD_NOTIFY_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class SweepResult:
    offers: int
    awards: int


def provider_staff_recipients(provider_id: int) -> list[str]:
    """The email addresses of the provider organisation's active staff, each once."""
    return sorted(
        User.objects.filter(provider_staff__provider_id=provider_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _offer_page_url(offer_id: int) -> str:
    return f"{settings.HOMECARE_SITE_URL.rstrip('/')}{reverse('portal:brokerage:detail', args=[offer_id])}"


def _respond_by(offer: Offer) -> str:
    return f"{timezone.localtime(offer.respond_by):%H:%M on %A %d %B %Y}" if offer.respond_by else "no deadline set"


def _offer_facts(offer: Offer) -> list[str]:
    """What an email says of one offer: only what the portal shows before award."""
    package = offer.package
    area = package.locality_area.name if package.locality_area is not None else "Area not set"
    lines = [
        f"Package: {package.reference}",
        f"Area: {area}",
        f"Postcode district: {package.postcode_district}",
        f"Hours a week: {package.hours_per_week}",
        f"Urgency: {package.get_urgency_display()}",
        f"Respond by: {_respond_by(offer)}",
    ]
    if offer.is_first_refusal:
        lines.append("As the lot's lead provider you have first refusal.")
    return lines


PRIVACY_LINE = "The person's details are shared in the portal only with the provider the package is awarded to."


def _offer_email(offer: Offer) -> tuple[str, str]:
    """Subject and body of one new offer."""
    lines = [
        f"{settings.COUNCIL_NAME} offers your organisation a homecare package.",
        "",
        *_offer_facts(offer),
        "",
        f"Read the care needed and accept or decline in the provider portal: {_offer_page_url(offer.pk)}",
        "",
        PRIVACY_LINE,
    ]
    return f"New homecare offer {offer.package.reference}: respond by {_respond_by(offer)}", "\n".join(lines) + "\n"


def _offers_email(offers: list[Offer]) -> tuple[str, str]:
    """Subject and body of the provider's new offers: one offer reads as ever; several are listed in one."""
    if len(offers) == 1:
        return _offer_email(offers[0])
    first = min(offers, key=lambda offer: (offer.respond_by is None, offer.respond_by or timezone.now()))
    lines = [f"{settings.COUNCIL_NAME} offers your organisation {len(offers)} homecare packages.", ""]
    for offer in offers:
        lines += [*_offer_facts(offer), f"Accept or decline: {_offer_page_url(offer.pk)}", ""]
    lines += ["Read the care needed for each in the provider portal before you accept or decline.", "", PRIVACY_LINE]
    return f"{len(offers)} new homecare offers: the first to respond by {_respond_by(first)}", "\n".join(lines) + "\n"


def _award_email(offer: Offer) -> tuple[str, str]:
    """Subject and body of an award: the person's details are only ever in the portal."""
    package = offer.package
    lines = [
        f"{settings.COUNCIL_NAME} has awarded {package.reference} to your organisation.",
        "",
        f"See the person's details, the visits and the start date in the provider portal: {_offer_page_url(offer.pk)}",
        "",
        "Record the day care starts there once it has.",
    ]
    return f"Homecare package {package.reference} awarded to you", "\n".join(lines) + "\n"


def _send_to_each(kind: str, subject: str, body: str, recipients: list[str]) -> None:
    """One message per person (over one connection), so staff don't see each other's addresses.

    ``kind`` names the message, so the GOV.UK Notify backend picks its template (``homecare.notify``).
    """
    messages = [EmailMessage(subject, body, to=[recipient], headers={MESSAGE_HEADER: kind}) for recipient in recipients]
    get_connection(fail_silently=False).send_messages(messages)


def _urgent_offer_sms(offer: Offer) -> None:
    """A text message as well as the email, for an urgent offer, if the provider gave a number for them.

    Sent inside the offer's claim, so it goes once with the email, and a failure rolls both back for the sweep.
    """
    package = offer.package
    if package.urgency not in (Urgency.HOSPITAL_DISCHARGE, Urgency.URGENT):
        return
    number = (
        ProviderCapabilities.objects.filter(provider_id=offer.provider_id)
        .values_list("urgent_offer_sms_number", flat=True)
        .first()
    )
    if not number:
        return
    respond_by = f"{timezone.localtime(offer.respond_by):%H:%M %d %b}" if offer.respond_by else "as soon as you can"
    notify_sms_send(
        kind="urgent_offer_sms",
        phone_number=number,
        personalisation={
            "reference": package.reference,
            "area": package.locality_area.name if package.locality_area is not None else package.postcode_district,
            "hours": str(package.hours_per_week),
            "respond_by": respond_by,
            "link": _offer_page_url(offer.pk),
        },
    )


def _claim_and_send(
    *,
    offer_id: int,
    status: str,
    marker: str,
    kind: str,
    compose: Callable[[Offer], tuple[str, str]],
) -> bool:
    """Claim the email by setting ``marker`` (a conditional UPDATE, so only one run wins), then send it.

    A failure to send raises inside the transaction, rolling back the claim, so the sweep tries again.
    A provider without staff email addresses is marked done with nothing sent.
    """
    with transaction.atomic():
        claimed = Offer.objects.filter(pk=offer_id, status=status, **{f"{marker}__isnull": True}).update(
            **{marker: timezone.now()}
        )
        if not claimed:
            return False
        offer = Offer.objects.select_related("package__locality_area").get(pk=offer_id)
        recipients = provider_staff_recipients(offer.provider_id)
        if recipients:
            subject, body = compose(offer)
            _send_to_each(kind, subject, body, recipients)
        return True


def _unnotified(now: datetime) -> models.QuerySet[Offer]:
    """Pending offers not yet emailed that can still be answered."""
    return Offer.objects.filter(status=Offer.Status.PENDING, notified_at__isnull=True).filter(
        Q(respond_by__isnull=True) | Q(respond_by__gt=now)
    )


def provider_offers_notify(*, provider_id: int, now: datetime | None = None) -> int:
    """Email the provider's staff one message listing every offer of theirs not yet emailed; how many it listed.

    The offers are locked (``SKIP LOCKED``: a concurrent run takes the ones it locked first and this one the
    rest, so each offer is in one email) and marked in the same transaction as the send. The mark is also
    conditional and carries this run's time, so on a database without row locks (SQLite in development) an
    offer another run marked first is left out rather than sent twice. A provider without staff email
    addresses has its offers marked with nothing sent, so the sweep does not try them every minute.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = list(
            _unnotified(now)
            .filter(provider_id=provider_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("package__locality_area")
            .order_by("respond_by", "pk")
        )
        ids = [offer.pk for offer in locked]
        if not ids:  # in a burst, most runs find a provider's offers already in an earlier email
            return 0
        claimed = Offer.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=now)
        if claimed != len(ids):
            ours = set(Offer.objects.filter(pk__in=ids, notified_at=now).values_list("pk", flat=True))
            locked = [offer for offer in locked if offer.pk in ours]
        if not locked:
            return 0
        recipients = provider_staff_recipients(provider_id)
        if recipients:
            subject, body = _offers_email(locked)
            _send_to_each("offer_email", subject, body, recipients)
        for offer in locked:
            _urgent_offer_sms(offer)
        return len(locked)


def package_offers_notify(*, package_id: int) -> int:
    """Email each provider the package is offered to (one email each, listing its other new offers too).

    How many offers were emailed. Safe to run twice: offers already emailed are not listed again.
    """
    providers = (
        _unnotified(timezone.now()).filter(package_id=package_id).values_list("provider_id", flat=True).distinct()
    )
    return sum(provider_offers_notify(provider_id=provider_id) for provider_id in sorted(providers))


def offer_notify(*, offer_id: int) -> bool:
    """Email a pending offer (with its provider's other new offers) unless done already. True when this call
    emailed it.

    An offer no longer pending (answered, expired, withdrawn) is not emailed: there is nothing to answer.
    """
    provider_id = _unnotified(timezone.now()).filter(pk=offer_id).values_list("provider_id", flat=True).first()
    if provider_id is None:
        return False
    provider_offers_notify(provider_id=provider_id)
    return Offer.objects.filter(pk=offer_id, notified_at__isnull=False).exists()


def offer_notify_award(*, offer_id: int) -> bool:
    """Email the winning provider's staff that the package is theirs, once. True when this call claimed it."""
    return _claim_and_send(
        offer_id=offer_id,
        status=Offer.Status.AWARDED,
        marker="award_notified_at",
        kind="award_email",
        compose=_award_email,
    )


def offers_notify_missed(*, now: datetime | None = None) -> SweepResult:
    """Send every offer and award email still unsent a minute after it was due (a lost or failed task).

    ``offers`` counts the offers emailed (several may share one email to their provider), ``awards`` the awards.
    """
    now = now or timezone.now()
    due = now - NOTIFY_GRACE
    providers = _unnotified(now).filter(sent_at__lte=due).values_list("provider_id", flat=True).distinct().order_by()
    awards = Offer.objects.filter(
        status=Offer.Status.AWARDED,
        award_notified_at__isnull=True,
        closed_at__lte=due,
        closed_at__gte=now - AWARD_NOTIFY_LOOKBACK,
    ).order_by("closed_at")
    # One email per provider, listing its lost offers and any newer ones not yet emailed.
    sent_offers = sum(provider_offers_notify(provider_id=pk, now=now) for pk in sorted(set(providers)))
    sent_awards = sum(offer_notify_award(offer_id=pk) for pk in awards.values_list("pk", flat=True))
    return SweepResult(offers=sent_offers, awards=sent_awards)
