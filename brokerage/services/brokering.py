"""Brokering rounds: rank the providers, then do what the agreement's policy says next.

The engine (``brokerage.allocation``) is pure: it ranks plain inputs and, given the offers so far and the
time, returns the next actions (send offers, expire them, award, escalate, wait until). This module is the
only place that turns those actions into rows. It always works from the database state of the package's
current round, under the package row lock, so running it twice, late, or after a lost message gives the
same result: the broker only carries the package id.
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from brokerage.allocation import (
    Award,
    Escalate,
    ExpireOffers,
    LotRole,
    PolicyKind,
    PolicySettings,
    Ranking,
    SendOffers,
    WaitUntil,
    next_actions,
    rank_providers,
)
from brokerage.allocation.pool import CandidatePool
from brokerage.allocation.results import ENGINE_VERSION
from brokerage.allocation_rows import engine_inputs_for, offer_record, policy_settings, run_documents
from brokerage.events import package_event, package_offers_event
from brokerage.models import AllocationRun, CarePackage, Offer, ProviderCapacity
from brokerage.services.change_history import changes_on_award_locked
from brokerage.services.history import Actor, offer_transition, offers_created, offers_transition, package_transition
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.queue import enqueue_on_commit
from homecare.webhooks.kinds import EventKind

# Sent by name through the one door (``homecare.queue``): services never import a tasks module.
BROKER_PACKAGE_TASK = "brokerage.tasks.broker_package"
NOTIFY_PACKAGE_OFFERS_TASK = "brokerage.tasks.notify_package_offers"
NOTIFY_AWARD_TASK = "brokerage.tasks.notify_award"

# A policy never needs more steps than this for one evaluation; more means a bug, not a busy package.
MAX_STEPS = 50


def _rank_locked(package: CarePackage, *, now: datetime) -> AllocationRun:
    """Rank the providers for the package's current round and store the run (once per round)."""
    started = time.perf_counter()
    today = timezone.localdate(now)
    inputs = engine_inputs_for(package, as_of=today)
    pool = CandidatePool(inputs.candidates)
    ranking = rank_providers(inputs.isa, pool, as_of=today)
    inputs_document, result_document = run_documents(inputs, pool, ranking, as_of=today)
    run = AllocationRun(
        package=package,
        round_number=package.round_number,
        policy=package.agreement.allocation_policy,
        engine_version=ENGINE_VERSION,
        inputs=inputs_document,
        result=result_document,
        ranked_at=now,
        duration_ms=(time.perf_counter() - started) * 1000,
        eligible_count=len(ranking.ranked),
        excluded_count=len(ranking.excluded),
    )
    run.save(force_insert=True)
    # The ranking just made is the one the stored documents replay to: keep it rather than replay it now.
    run.__dict__["ranking"] = ranking
    audit_record(
        actor=None,
        action=AuditAction.PACKAGE_RANKED,
        target=package,
        summary=(
            f"{package.reference}: round {package.round_number} ranked {len(ranking.ranked)} eligible providers, "
            f"{len(ranking.excluded)} excluded"
        ),
        data={"run": run.pk, "engine_version": ENGINE_VERSION},
    )
    return run


def _current_run(package: CarePackage) -> AllocationRun | None:
    # A stored result is the order alone; the ranking is read back from the stored inputs.
    return AllocationRun.objects.filter(package=package, round_number=package.round_number).first()


def evaluate_locked(package: CarePackage, *, now: datetime, actor: Actor = None) -> None:
    """Apply the policy's next actions to the package's current round until it says to wait.

    The caller holds the package row lock inside a transaction. A package that is not brokering is left alone.
    """
    run: AllocationRun | None = None
    settings = policy_settings(package.agreement, urgency=package.urgency)
    for _ in range(MAX_STEPS):
        if package.status != CarePackage.Status.BROKERING:
            return
        # One run per round, and the round does not change here: load (or rank) it once.
        run = run or _current_run(package) or _rank_locked(package, now=now)
        # A run just stored keeps the ranking it was made from; one loaded from the database replays it.
        ranking = run.ranking
        offers = {offer.provider_id: offer for offer in package.offers.filter(round_number=package.round_number)}
        actions = next_actions(
            settings=settings,
            ranking=ranking,
            offers=tuple(offer_record(offer) for offer in offers.values()),
            now=now,
            first_refusal=run.first_refusal_provider_id,
        )
        changed = False
        for action in actions:
            if isinstance(action, SendOffers):
                _send_offers(package, run, ranking, action, settings, now=now, actor=actor)
                changed = True
            elif isinstance(action, ExpireOffers):
                _expire_offers(package, [offers[pk] for pk in action.provider_ids], now=now)
                changed = True
            elif isinstance(action, Award):
                winner = offers[action.provider_id]
                if winner.proposed_start_on is None:
                    winner.proposed_start_on = action.start_on
                    winner.save(update_fields=["proposed_start_on"])
                award_locked(package, winner, now=now, actor=actor, reason=action.reason)
                return
            elif isinstance(action, Escalate):
                _escalate(package, now=now, reason=action.reason)
                return
            elif isinstance(action, WaitUntil):
                _wait_until(package, action.at)
        if not changed:
            return
    raise RuntimeError(f"{package.reference}: the allocation policy did not settle after {MAX_STEPS} steps.")


def _wait_until(package: CarePackage, at: datetime) -> None:
    if package.next_action_at != at:
        package.next_action_at = at
        package.save(update_fields=["next_action_at"])


def _send_offers(
    package: CarePackage,
    run: AllocationRun,
    ranking: Ranking,
    action: SendOffers,
    settings: PolicySettings,
    *,
    now: datetime,
    actor: Actor,
) -> None:
    # Set-based: the offers, their history rows, audit events and outbox events each in one insert (a burst of
    # referrals sends many rounds at once); the rows are the same as one offer at a time would write.
    new_offers: list[Offer] = []
    created: list[tuple[Offer, str, dict[str, Any]]] = []
    for provider_id in action.provider_ids:
        entry = ranking.entry_for(provider_id)
        first_refusal = (
            settings.kind is PolicyKind.LEAD_PROVIDER_FIRST and entry is not None and entry.lot_role is LotRole.LEAD
        )
        offer = Offer(
            package=package,
            provider_id=provider_id,
            run=run,
            round_number=package.round_number,
            rank=None if entry is None else entry.position,
            is_first_refusal=first_refusal,
            status=Offer.Status.PENDING,
            sent_at=now,
            respond_by=action.deadline,
        )
        name = entry.provider_name if entry is not None else f"provider {provider_id}"
        summary = (
            f"{package.reference} offered to {name} (rank {offer.rank}), respond by "
            f"{timezone.localtime(action.deadline):%H:%M %d %b %Y} ({action.reason})"
        )
        new_offers.append(offer)
        created.append((offer, summary, {"rank": offer.rank, "first_refusal": first_refusal}))
    # bulk_create sets each offer's primary key (PostgreSQL and SQLite return them), which the records below use.
    Offer.objects.bulk_create(new_offers)
    offers_created(offers=created, actor=actor)
    package_offers_event(EventKind.PACKAGE_OFFERED, package, new_offers)
    # Emailed after commit, one email per provider (with its other new offers), a few seconds later so that a
    # burst's offers to the same provider share one email; the task re-reads the offers, and a lost task is
    # swept a minute later.
    enqueue_on_commit(
        NOTIFY_PACKAGE_OFFERS_TASK, package.pk, countdown=django_settings.HOMECARE_OFFER_EMAIL_BATCH_SECONDS or None
    )


def _expire_offers(package: CarePackage, offers: list[Offer], *, now: datetime) -> None:
    pending = [offer for offer in offers if offer.status == Offer.Status.PENDING]
    for offer in pending:
        offer.closed_at = now
    offers_transition(
        changes=[
            (
                offer,
                Offer.Status.EXPIRED,
                f"Offer of {package.reference} to provider {offer.provider_id} expired without a response",
            )
            for offer in pending
        ],
        actor=None,
        update_fields=("closed_at",),
    )


def award_locked(
    package: CarePackage,
    offer: Offer,
    *,
    now: datetime,
    actor: Actor,
    reason: str,
    manual: bool = False,
    use_capacity: bool = True,
    data: dict[str, object] | None = None,
) -> None:
    """Award the package to ``offer``'s provider and close every other offer of the round.

    The database also refuses a second award in a round (a partial unique index), so even a bug in the
    locking could not make two winners.
    """
    offer.closed_at = now
    offer_transition(
        offer=offer,
        to_status=Offer.Status.AWARDED,
        actor=actor,
        summary=f"{package.reference} awarded to provider {offer.provider_id}{' manually' if manual else ''}",
        reason=reason,
        update_fields=("closed_at",),
        data={"manual": manual},
    )
    enqueue_on_commit(NOTIFY_AWARD_TASK, offer.pk)
    others = list(
        package.offers.filter(round_number=package.round_number, status__in=Offer.OPEN_STATUSES).exclude(pk=offer.pk)
    )
    for other in others:
        other.closed_at = now
    offers_transition(
        changes=[
            (
                other,
                Offer.Status.NOT_SELECTED if other.status == Offer.Status.ACCEPTED else Offer.Status.WITHDRAWN,
                f"{package.reference} awarded to another provider",
            )
            for other in others
        ],
        actor=actor,
        update_fields=("closed_at",),
    )
    package.awarded_provider_id = offer.provider_id
    package.awarded_at = now
    package.next_action_at = None
    package_transition(
        package=package,
        to_status=CarePackage.Status.AWARDED,
        actor=actor,
        summary=f"awarded to provider {offer.provider_id} (round {package.round_number})",
        reason=reason,
        update_fields=("awarded_provider", "awarded_at", "next_action_at"),
        data={"offer": offer.pk, "provider": offer.provider_id, "manual": manual, **(data or {})},
    )
    # A package re-brokered for a variation or after a suspension: that change takes effect with this start.
    changes_on_award_locked(package, offer, now=now)
    package_event(EventKind.PACKAGE_AWARDED, package, offer=offer, extra={"manual": manual})
    # The award uses the hours the provider declared; it keeps its capacity current from here.
    if use_capacity and package.locality_area_id is not None:
        capacity = (
            ProviderCapacity.objects.select_for_update()
            .filter(provider_id=offer.provider_id, locality_area_id=package.locality_area_id)
            .first()
        )
        if capacity is not None:
            capacity.hours_available_per_week = max(
                capacity.hours_available_per_week - package.hours_per_week, Decimal(0)
            )
            capacity.updated_at = now
            capacity.save(update_fields=["hours_available_per_week", "updated_at"])


def _escalate(package: CarePackage, *, now: datetime, reason: str) -> None:
    package.escalated_at = now
    package.next_action_at = None
    package_transition(
        package=package,
        to_status=CarePackage.Status.UNPLACED,
        actor=None,
        summary="not placed: escalated to the Care Communications Centre",
        reason=reason,
        update_fields=("escalated_at", "next_action_at"),
    )


def round_start_locked(package: CarePackage, *, actor: Actor, why: str) -> None:
    """Open the next brokering round: ranked afresh (earlier refusers and hand-backs excluded) on commit."""
    now = timezone.now()
    package.round_number += 1
    package.awarded_provider_id = None
    package.awarded_at = None
    package.care_started_on = None
    package.next_action_at = now
    package_transition(
        package=package,
        to_status=CarePackage.Status.BROKERING,
        actor=actor,
        summary=f"{why} (round {package.round_number})",
        update_fields=("round_number", "awarded_provider", "awarded_at", "care_started_on", "next_action_at"),
    )
    enqueue_on_commit(BROKER_PACKAGE_TASK, package.pk)


def package_broker(*, package_id: int) -> str:
    """Advance one package's brokering to now. Idempotent: the Celery task and the beat sweep both call it.

    The outermost transaction (durable), so nothing can wrap a brokering step by accident.
    """
    with transaction.atomic(durable=True):
        package = CarePackage.objects.select_for_update().select_related("agreement").filter(pk=package_id).first()
        if package is None or package.status != CarePackage.Status.BROKERING:
            return "not brokering"
        evaluate_locked(package, now=timezone.now())
        return package.status


def packages_due(*, now: datetime, limit: int = 500) -> list[int]:
    """Packages in brokering whose next deadline has passed (or was never set: a lost start message)."""
    due = CarePackage.objects.filter(status=CarePackage.Status.BROKERING, next_action_at__lte=now)
    unset = CarePackage.objects.filter(status=CarePackage.Status.BROKERING, next_action_at__isnull=True)
    return list((due | unset).order_by("next_action_at").values_list("pk", flat=True)[:limit])
