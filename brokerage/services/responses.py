"""Providers' responses to offers, hand-backs, and officers' manual awards and re-brokering.

Every write here locks the package row first (``select_for_update``), so two providers accepting at the same
moment are served one after the other: the second sees the package already awarded and gets a clear refusal.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from brokerage.events import package_event
from brokerage.isa import start_problem, start_window
from brokerage.models import CarePackage, DeclineReason, HandBack, Offer
from brokerage.selectors import offer_get_for_provider, providers_for_manual_award
from brokerage.services.brokering import award_locked, evaluate_locked, round_start_locked
from brokerage.services.change_history import changes_withdraw_locked
from brokerage.services.history import Actor, offer_transition, package_transition
from brokerage.services.packages import PackageStateError, package_record_care_started
from homecare.webhooks.kinds import EventKind
from providers.selectors import provider_for_user

DECLINE_NOTE_MAX = 2000  # as an ISA's special requirements: about a page


class AwardReasonRequired(PackageStateError):
    """An officer chose an acceptor ranked below another acceptor and gave no reason for passing it over."""


class OfferClosed(Exception):
    """The offer can no longer be answered; the message tells the provider why, in plain words."""


class ResponseInvalid(Exception):
    """The answer itself is wrong (a start date out of range, no reason); ``errors`` maps each field to its
    messages, as ``IsaInvalid`` does, so the API answers 400 and the portal puts them on the form."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


def start_on_problem(start_on: date, *, today: date) -> str | None:
    """What is wrong with a provider's proposed start: not in the past, nor beyond the ISA start horizon."""
    return start_problem(start_on, earliest=today, latest=start_window(today)[1])


def _lock_for_response(offer_id: int, provider_user: User) -> tuple[Offer, CarePackage]:
    """Authorise, then lock the package and re-read the offer under the lock (its state may have moved)."""
    # One query authorises and locks: only a package holding this provider's own offer is found (and locked);
    # another provider's offer is a 404, as if it did not exist. Only the package row is locked; its agreement,
    # whose policy decides what the answer leads to, comes with it.
    provider = provider_for_user(user=provider_user)
    package = (
        CarePackage.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .filter(offers__pk=offer_id, offers__provider=provider)
        .first()
    )
    if package is None:
        raise Http404("No such offer.")
    offer = Offer.objects.get(pk=offer_id)
    offer.provider = provider  # the query above found the offer among this provider's own
    offer.package = package  # the locked row: the model's rule reads the package's state from it
    refusal = offer.answer_refusal(at=timezone.now())
    if refusal is not None:
        raise OfferClosed(refusal)
    return offer, package


@transaction.atomic(durable=True)
def offer_accept(*, offer_id: int, provider_user: User, start_on: date) -> Offer:
    """Accept an offer with a proposed start date; exactly one provider can win a package.

    1. Refuse a start date in the past or beyond the horizon (``ResponseInvalid`` naming ``start_on``).
    2. Lock the package row, so concurrent accepts are serialised.
    3. Refuse if the package is no longer open, the offer has expired, or was already answered.
    4. Record the acceptance, then let the agreement's policy decide: award now (the best possible
       responder under ranked DPS, the offered provider in a cascade) or wait for the response window.
    """
    now = timezone.now()
    problem = start_on_problem(start_on, today=timezone.localdate(now))
    if problem:
        raise ResponseInvalid({"start_on": [problem]})
    offer, package = _lock_for_response(offer_id, provider_user)
    offer.responded_at = now
    offer.responded_by = provider_user
    offer.proposed_start_on = start_on
    offer_transition(
        offer=offer,
        to_status=Offer.Status.ACCEPTED,
        actor=provider_user,
        summary=f"{offer.provider.name} accepted {package.reference}, proposing to start {start_on:%d %B %Y}",
        update_fields=("responded_at", "responded_by", "proposed_start_on"),
        data={"proposed_start_on": start_on},
    )
    _note_first_response(package, now)
    evaluate_locked(package, now=now)
    offer.refresh_from_db()
    return offer


@transaction.atomic(durable=True)
def offer_decline(*, offer_id: int, provider_user: User, reason: str, note: str = "") -> Offer:
    """Decline an offer with a reason code; under a cascade the next provider is offered at once."""
    if reason not in DeclineReason.values:
        raise ResponseInvalid({"reason": ["Choose a reason for declining."]})
    if reason == DeclineReason.OTHER and not note.strip():
        raise ResponseInvalid({"note": ["Say why you are declining."]})
    if len(note) > DECLINE_NOTE_MAX:
        raise ResponseInvalid({"note": [f"Enter at most {DECLINE_NOTE_MAX:,} characters."]})
    offer, package = _lock_for_response(offer_id, provider_user)
    now = timezone.now()
    offer.responded_at = now
    offer.responded_by = provider_user
    offer.decline_reason = reason
    offer.decline_note = note
    offer.closed_at = now
    offer_transition(
        offer=offer,
        to_status=Offer.Status.DECLINED,
        actor=provider_user,
        summary=f"{offer.provider.name} declined {package.reference}: {DeclineReason(reason).label}",
        reason=note,
        update_fields=("responded_at", "responded_by", "decline_reason", "decline_note", "closed_at"),
        data={"decline_reason": reason},
    )
    _note_first_response(package, now)
    evaluate_locked(package, now=now)
    offer.refresh_from_db()
    return offer


def _note_first_response(package: CarePackage, now: datetime) -> None:
    if package.first_response_at is None:
        CarePackage.objects.filter(pk=package.pk, first_response_at__isnull=True).update(
            first_response_at=now, updated_at=now
        )
        package.first_response_at = now  # the caller holds the row lock: the update above is the one that applied


@transaction.atomic
def package_hand_back(
    *, offer_id: int, provider_user: User, effective_on: date, reason: str, note: str = ""
) -> HandBack:
    """The awarded provider gives the package back with notice; a new round starts without that provider.

    The provider keeps delivering care (and keeps seeing the person's details) until ``effective_on``.
    """
    if reason not in HandBack.Reason.values:
        raise PackageStateError("Choose a reason for handing the package back.")
    seen = offer_get_for_provider(offer_id=offer_id, provider_user=provider_user)
    package = CarePackage.objects.select_for_update().get(pk=seen.package_id)
    offer = Offer.objects.select_related("provider").get(pk=seen.pk)
    if (
        offer.status != Offer.Status.AWARDED
        or package.awarded_provider_id != offer.provider_id
        or package.status not in CarePackage.LIVE_STATUSES
    ):
        raise PackageStateError(f"{package.reference} is not currently awarded to you, so it cannot be handed back.")
    now = timezone.now()
    if effective_on < timezone.localdate(now):
        raise PackageStateError("The hand-back cannot take effect in the past.")
    hand_back = HandBack.objects.create(
        package=package,
        provider=offer.provider,
        offer=offer,
        round_number=package.round_number,
        notice_given_at=now,
        effective_on=effective_on,
        reason=reason,
        note=note,
        given_by=provider_user,
    )
    # A variation still waiting for this provider's answer goes with the package it is handing back.
    changes_withdraw_locked(package, actor=provider_user, why="withdrawn: the provider handed the package back")
    package_transition(
        package=package,
        to_status=CarePackage.Status.HANDED_BACK,
        actor=provider_user,
        summary=f"handed back by {offer.provider.name}, effective {effective_on:%d %B %Y}",
        reason=f"{HandBack.Reason(reason).label}. {note}".strip(),
        data={"hand_back": hand_back.pk, "effective_on": effective_on},
    )
    package_event(EventKind.PACKAGE_HANDED_BACK, package, hand_back=hand_back)
    round_start_locked(package, actor=provider_user, why=f"re-brokered after hand-back by {offer.provider.name}")
    return hand_back


def better_ranked_acceptors(*, offer: Offer, accepted: list[Offer]) -> list[Offer]:
    """The acceptors of the round ranked above ``offer`` (an offer made outside the ranking ranks last)."""

    def rank(candidate: Offer) -> float:
        return float("inf") if candidate.rank is None else candidate.rank

    return sorted((o for o in accepted if o.pk != offer.pk and rank(o) < rank(offer)), key=rank)


@transaction.atomic
def package_award(*, package_id: int, offer_id: int, awarded_by: User, reason: str = "") -> Offer:
    """An officer awards a package to one of the providers that accepted it in the current round.

    1. Lock the package row; it must still be brokering or unplaced, and the offer must be an acceptance
       of its current round.
    2. Passing over a better-ranked acceptor needs a written reason (``AwardReasonRequired`` without one);
       the providers passed over and the reason are recorded in the award's audit event and history.
    3. Award, closing every other offer of the round.
    """
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status not in CarePackage.OPEN_STATUSES:
        raise PackageStateError(
            f"{package.reference} is {package.get_status_display().lower()}, so it cannot be awarded."
        )
    accepted = list(
        Offer.objects.select_related("provider").filter(
            package=package, round_number=package.round_number, status=Offer.Status.ACCEPTED
        )
    )
    offer = next((candidate for candidate in accepted if candidate.pk == offer_id), None)
    if offer is None:
        raise PackageStateError(
            f"That provider has not accepted {package.reference} in this round (or the offer has closed)."
        )
    passed_over = better_ranked_acceptors(offer=offer, accepted=accepted)
    reason = reason.strip()
    if passed_over and not reason:
        names = ", ".join(f"{o.provider.name} (rank {o.rank})" for o in passed_over)
        raise AwardReasonRequired(
            f"{names} also accepted and {'is' if len(passed_over) == 1 else 'are'} ranked higher than "
            f"{offer.provider.name}. Record why you are awarding past {'it' if len(passed_over) == 1 else 'them'}."
        )
    award_locked(
        package,
        offer,
        now=timezone.now(),
        actor=awarded_by,
        reason=reason or f"Awarded to the best-ranked acceptor (rank {offer.rank})",
        data={"passed_over": [o.provider_id for o in passed_over], "chosen_rank": offer.rank},
    )
    return offer


@transaction.atomic
def package_award_manually(
    *, package_id: int, provider_id: int, awarded_by: User, reason: str, start_on: date | None = None
) -> Offer:
    """An officer awards a package directly, with a recorded reason (e.g. after phoning round)."""
    if not reason.strip():
        raise PackageStateError("Record why you are awarding this package manually.")
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status not in CarePackage.OPEN_STATUSES:
        raise PackageStateError(
            f"{package.reference} is {package.get_status_display().lower()}, so it cannot be awarded."
        )
    provider = providers_for_manual_award(package=package).filter(pk=provider_id).first()
    if provider is None:
        raise PackageStateError("Award only to a provider appointed to the package's agreement.")
    now = timezone.now()
    offer = Offer.objects.filter(package=package, round_number=package.round_number, provider=provider).first()
    if offer is None:
        offer = Offer.objects.create(
            package=package,
            provider=provider,
            round_number=package.round_number,
            status=Offer.Status.ACCEPTED,
            sent_at=now,
            responded_at=now,
            responded_by=awarded_by,
            proposed_start_on=start_on,
        )
    elif start_on is not None:
        offer.proposed_start_on = start_on
        offer.save(update_fields=["proposed_start_on"])
    award_locked(package, offer, now=now, actor=awarded_by, reason=reason, manual=True)
    return offer


@transaction.atomic
def package_rebroker(*, package_id: int, requested_by: Actor, reason: str) -> CarePackage:
    """Start a fresh brokering round for an unplaced package (e.g. after the CCC has widened the search)."""
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status != CarePackage.Status.UNPLACED:
        raise PackageStateError(f"{package.reference} is not unplaced, so it cannot be re-brokered.")
    round_start_locked(package, actor=requested_by, why=f"re-brokered: {reason}")
    return package


@transaction.atomic
def offer_record_care_started(*, offer_id: int, provider_user: User, started_on: date) -> CarePackage:
    """The awarded provider records the day care started (the CCC's time-to-care-start measure)."""
    offer = offer_get_for_provider(offer_id=offer_id, provider_user=provider_user)
    package = CarePackage.objects.select_for_update().get(pk=offer.package_id)
    if offer.status != Offer.Status.AWARDED or package.awarded_provider_id != offer.provider_id:
        raise PackageStateError(f"{package.reference} is not awarded to you.")
    if started_on > timezone.localdate():
        raise PackageStateError("Record the start of care on or after the day it starts, not before.")
    return package_record_care_started(package_id=package.pk, started_on=started_on, recorded_by=provider_user)
