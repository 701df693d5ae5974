"""Changes after award: vary, suspend, resume, end, review, and the provider's requests for a change.

Every write locks the package row first (``select_for_update``), the same lock offers, awards and
hand-backs take, so a change and a hand-back, two variations, or a suspension and a provider's answer made
at the same moment are served one after the other, and the second sees what the first did. Partial unique
indexes (one open variation, one suspension in effect per package) hold even if a lock were forgotten.

Who may do what (``brokerage.views_*`` and ``brokerage.api`` check the audience; these check the state):

- an officer proposes a variation; the current provider accepts or declines it by ``respond_by``; a decline
  or no answer re-brokers the package with the new care (the current provider excluded if the officer said
  so), and the current provider keeps delivering the old care until the new provider starts;
- an officer suspends (hospital, respite, holiday) and resumes, or re-brokers when the provider cannot
  restart; the agreement's ``suspension_retainer_days`` are still paid;
- an officer ends the care, with a reason and the last day;
- an officer records a review (the next falls a year later unless set);
- the current provider asks for a change; an officer approves it (an agreed variation, in force at once)
  or refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from brokerage.changes.patterns import CarePattern, pattern_from_json, pattern_of, same_visits
from brokerage.changes.selectors import (
    NEXT_REVIEW_AFTER,
    awarded_offer_for_provider,
    care_from_of,
    change_get_for_provider,
    provider_periods,
)
from brokerage.events import change_event, change_summary, package_event
from brokerage.isa import MAX_VISITS, VisitData, visit_problems
from brokerage.models import CarePackage, Offer, PackageChange, Skill, Visit
from brokerage.services.brokering import round_start_locked
from brokerage.services.change_history import change_transition, changes_withdraw_locked
from brokerage.services.history import Actor, offer_transition, package_transition
from brokerage.services.packages import PackageStateError
from contracts import costing
from contracts.selectors import fee_rate_steps
from homecare.queue import enqueue_on_commit
from homecare.webhooks.kinds import EventKind

NOTIFY_CHANGE_TASK = "brokerage.tasks.notify_package_change"

# How long the current provider has to answer a variation unless the officer sets another time.
DEFAULT_RESPONSE_HOURS = 48
MAX_RESPONSE_HOURS = 14 * 24
# Changes are dated: not in the past (payments already made would move), nor beyond the next year.
FURTHEST_AHEAD = timedelta(days=366)
NOTE_MAX = 2000


class ChangeInvalid(Exception):
    """The change itself is wrong (a date, a visit, a missing reason); ``errors`` maps fields to messages,
    as ``IsaInvalid`` does, so the API answers 400 with each field and a page puts them on its form."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


class ChangeClosed(Exception):
    """The change can no longer be answered or decided; the message says why, in plain words."""


# --- Shared checks ------------------------------------------------------------------------------------


def _lock(package_id: int) -> CarePackage:
    package = CarePackage.objects.select_for_update().select_related("agreement").filter(pk=package_id).first()
    if package is None:
        raise PackageStateError("No such package.")
    return package


def _require_live(package: CarePackage, doing: str) -> None:
    if package.status not in CarePackage.LIVE_STATUSES:
        raise PackageStateError(
            f"{package.reference} is {package.get_status_display().lower()}, so it cannot be {doing}: "
            "only an awarded package can."
        )


def _active_suspension(package: CarePackage) -> PackageChange | None:
    return package.changes.filter(kind=PackageChange.Kind.SUSPENSION, status=PackageChange.Status.ACTIVE).first()


def _date_errors(name: str, day: date, *, today: date, earliest: date | None = None) -> dict[str, list[str]]:
    earliest = earliest or today
    if day < earliest:
        return {name: [f"Enter a date on or after {earliest:%d %B %Y}."]}
    if day > today + FURTHEST_AHEAD:
        return {name: [f"Enter a date before {today + FURTHEST_AHEAD:%d %B %Y}."]}
    return {}


def _note_errors(note: str, *, required: str = "") -> dict[str, list[str]]:
    if required and not note.strip():
        return {"note": [required]}
    if len(note) > NOTE_MAX:
        return {"note": [f"Enter at most {NOTE_MAX:,} characters."]}
    return {}


def pattern_errors(pattern: CarePattern) -> dict[str, list[str]]:
    """The visit rules an ISA's visits meet (``brokerage.isa``), by field path, for a new pattern."""
    errors: dict[str, list[str]] = {}
    if not pattern.visits:
        errors["visits"] = ["Add at least one visit."]
    if len(pattern.visits) > MAX_VISITS:
        errors["visits"] = [f"Enter at most {MAX_VISITS} visits a week."]
    seen: set[tuple[int, object, object]] = set()
    for index, visit in enumerate(pattern.visits):
        for name, problem in visit_problems(visit).items():
            errors.setdefault(f"visits[{index}].{name}", []).append(problem)
        if visit.duration_minutes < 15:
            errors.setdefault(f"visits[{index}].duration_minutes", []).append("A visit is at least 15 minutes.")
        if visit.carers not in (1, 2):
            errors.setdefault(f"visits[{index}].carers", []).append("A visit has 1 or 2 carers.")
        window = (visit.day_of_week, visit.window_start, visit.window_end)
        if window in seen:
            errors.setdefault(f"visits[{index}].window_start", []).append(
                "This visit repeats another (the same day and time window)."
            )
        seen.add(window)
    unknown = sorted(set(pattern.required_skills) - set(Skill.values))
    if unknown:
        errors["required_skills"] = [f"Unknown needs: {', '.join(unknown)}."]
    return errors


def _write_pattern(package: CarePackage, pattern: CarePattern) -> None:
    """Make ``pattern`` the package's care (its visit rows, hours, needs and weekly cost at today's rates)."""
    package.visits.all().delete()
    Visit.objects.bulk_create(
        Visit(
            package=package,
            day_of_week=v.day_of_week,
            window_start=v.window_start,
            window_end=v.window_end,
            duration_minutes=v.duration_minutes,
            carers=v.carers,
        )
        for v in pattern.visits
    )
    rates = fee_rate_steps(agreement=package.agreement)
    hours = costing.hours_by_service_type(
        pattern.visits, housing_with_care=package.housing_with_care, rated_types=rates
    )
    try:
        package.weekly_cost = costing.week_cost_by_type(week_start=timezone.localdate(), hours=hours, rates=rates)
    except costing.NoRateInForce:
        package.weekly_cost = None
    package.hours_per_week = pattern.hours_per_week
    package.required_skills = sorted(pattern.required_skills)
    package.carer_gender = pattern.carer_gender
    package.special_requirements = pattern.special_requirements
    package.save(
        update_fields=["hours_per_week", "required_skills", "carer_gender", "special_requirements", "weekly_cost"]
    )


def _previous(package: CarePackage) -> dict[str, object]:
    document = pattern_of(package).to_json()
    periods = provider_periods(package)
    care_from = periods[-1].start if periods else None  # the current award's start, kept for its period
    document["care_from"] = care_from.isoformat() if care_from is not None else None
    return document


def _rebroker_locked(package: CarePackage, change: PackageChange, *, actor: Actor, why: str) -> None:
    """Re-broker the package for ``change`` while its current provider carries on until the new one starts."""
    change_transition(
        change=change,
        to_status=PackageChange.Status.REBROKERING,
        actor=actor,
        summary=f"re-brokered{' without the current provider' if change.exclude_current_provider else ''}",
        data={"round": package.round_number + 1, "exclude_current_provider": change.exclude_current_provider},
    )
    round_start_locked(package, actor=actor, why=why)


# --- Variations ---------------------------------------------------------------------------------------


@transaction.atomic
def package_vary(
    *,
    package_id: int,
    requested_by: Actor,
    effective_from: date,
    visits: Sequence[VisitData],
    required_skills: Sequence[str] | None = None,
    carer_gender: str | None = None,
    special_requirements: str | None = None,
    respond_within_hours: int = DEFAULT_RESPONSE_HOURS,
    exclude_current_provider: bool = False,
    note: str = "",
) -> PackageChange:
    """Propose a variation to the package's current provider, to answer by a deadline.

    1. Check the new care and its date (``ChangeInvalid`` names each field).
    2. Lock the package; refuse unless it is awarded, not suspended, and has no variation waiting.
    3. Record the proposal with the care it replaces; the provider's staff are emailed after commit.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    errors = _date_errors("effective_from", effective_from, today=today)
    if not 1 <= respond_within_hours <= MAX_RESPONSE_HOURS:
        errors["respond_within_hours"] = [f"Give the provider between 1 and {MAX_RESPONSE_HOURS} hours."]
    errors.update(_note_errors(note))
    package = _lock(package_id)
    pattern = CarePattern(
        visits=tuple(visits),
        required_skills=tuple(package.required_skills if required_skills is None else required_skills),
        carer_gender=package.carer_gender if carer_gender is None else carer_gender,
        special_requirements=package.special_requirements if special_requirements is None else special_requirements,
    )
    errors.update(pattern_errors(pattern))
    if errors:
        raise ChangeInvalid(errors)
    _require_live(package, "varied")
    if _active_suspension(package) is not None:
        raise PackageStateError(f"{package.reference} is suspended: resume it before varying the care.")
    if package.changes.filter(kind=PackageChange.Kind.VARIATION, status=PackageChange.Status.PROPOSED).exists():
        raise PackageStateError(
            f"{package.reference} already has a variation waiting for the provider's answer: withdraw it first."
        )
    current = pattern_of(package)
    if pattern.to_json() == current.to_json():
        raise ChangeInvalid({"visits": ["The new care is the same as the current care: change something."]})
    return _variation_create(
        package,
        pattern=pattern,
        effective_from=effective_from,
        requested_by=requested_by,
        respond_by=now + timedelta(hours=respond_within_hours),
        exclude_current_provider=exclude_current_provider,
        note=note,
    )


def _variation_create(
    package: CarePackage,
    *,
    pattern: CarePattern,
    effective_from: date,
    requested_by: Actor,
    respond_by: datetime | None,
    exclude_current_provider: bool,
    note: str,
    source_request: PackageChange | None = None,
) -> PackageChange:
    change = PackageChange(
        package=package,
        kind=PackageChange.Kind.VARIATION,
        provider_id=package.awarded_provider_id,
        round_number=package.round_number,
        effective_from=effective_from,
        pattern=pattern.to_json(),
        previous=_previous(package),
        exclude_current_provider=exclude_current_provider,
        respond_by=respond_by,
        note=note,
        source_request=source_request,
        created_at=timezone.now(),
        requested_by=requested_by if isinstance(requested_by, User) else None,
    )
    summary = (
        f"variation from {effective_from:%d %B %Y} ({pattern.hours_per_week} hours a week, "
        f"{len(pattern.visits)} visits)"
    )
    if source_request is not None:
        change.decided_by = change.requested_by
        change.decided_at = change.created_at
        change.applied_from = effective_from
        change_transition(
            change=change, to_status=PackageChange.Status.ACCEPTED, actor=requested_by, summary=f"agreed {summary}"
        )
        _write_pattern(package, pattern)
        change_event(EventKind.PACKAGE_VARIED, change)
    else:
        change_transition(
            change=change,
            to_status=PackageChange.Status.PROPOSED,
            actor=requested_by,
            summary=f"{summary} proposed to the provider",
            reason=note,
            data={"respond_by": respond_by},
        )
    enqueue_on_commit(NOTIFY_CHANGE_TASK, change.pk)
    return change


def _lock_for_answer(change_id: int, provider_user: User) -> tuple[PackageChange, CarePackage]:
    """Authorise, lock the package, then re-read the change under the lock and check it can be answered."""
    seen = change_get_for_provider(change_id=change_id, provider_user=provider_user)  # 404 for others
    package = _lock(seen.package_id)
    change = PackageChange.objects.get(pk=seen.pk)
    change.package = package
    refusal = variation_answer_refusal(change, at=timezone.now())
    if refusal is not None:
        raise ChangeClosed(refusal)
    return change, package


def variation_answer_refusal(change: PackageChange, *, at: datetime) -> str | None:
    """Why the provider cannot answer this variation at ``at``, in words for the provider; None when it can."""
    package = change.package
    if change.kind != PackageChange.Kind.VARIATION:
        return "Only a variation is answered by the provider."
    if change.status == PackageChange.Status.WITHDRAWN:
        return f"This variation of {package.reference} was withdrawn by the council."
    if change.status == PackageChange.Status.EXPIRED or (
        change.status == PackageChange.Status.PROPOSED and change.respond_by is not None and at > change.respond_by
    ):
        return "The time to answer this variation has passed."
    if change.status != PackageChange.Status.PROPOSED:
        return f"This variation has already been answered ({change.get_status_display().lower()})."
    if package.status not in CarePackage.LIVE_STATUSES or package.awarded_provider_id != change.provider_id:
        return f"{package.reference} is no longer awarded to you."
    return None


@transaction.atomic
def variation_accept(*, change_id: int, provider_user: User, note: str = "") -> PackageChange:
    """The current provider accepts the variation: the new care applies from its effective date."""
    change, package = _lock_for_answer(change_id, provider_user)
    now = timezone.now()
    change.decided_by = provider_user
    change.decided_at = now
    change.applied_from = change.effective_from
    change_transition(
        change=change,
        to_status=PackageChange.Status.ACCEPTED,
        actor=provider_user,
        summary=f"variation accepted by the provider, from {change.effective_from:%d %B %Y}",
        reason=note,
        update_fields=("decided_by", "decided_at", "applied_from"),
    )
    _write_pattern(package, pattern_from_json(change.pattern))
    change_event(EventKind.PACKAGE_VARIED, change)
    return change


@transaction.atomic
def variation_decline(*, change_id: int, provider_user: User, note: str = "") -> PackageChange:
    """The current provider cannot deliver the new care: the package is re-brokered with it."""
    errors = _note_errors(note, required="Say why you cannot deliver the new care.")
    if errors:
        raise ChangeInvalid(errors)
    change, package = _lock_for_answer(change_id, provider_user)
    change.decided_by = provider_user
    change.decided_at = timezone.now()
    change_transition(
        change=change,
        to_status=PackageChange.Status.DECLINED,
        actor=provider_user,
        summary="variation declined by the provider",
        reason=note,
        update_fields=("decided_by", "decided_at"),
    )
    _variation_rebroker_locked(package, change, actor=provider_user, why="re-brokered: variation declined")
    return change


def _variation_rebroker_locked(package: CarePackage, change: PackageChange, *, actor: Actor, why: str) -> None:
    _write_pattern(package, pattern_from_json(change.pattern))  # the new provider is found for the new care
    _rebroker_locked(package, change, actor=actor, why=why)


@transaction.atomic
def variation_withdraw(*, change_id: int, withdrawn_by: Actor, reason: str) -> PackageChange:
    """An officer withdraws a variation the provider has not answered yet."""
    errors = _note_errors(reason, required="Say why the variation is withdrawn.")
    if errors:
        raise ChangeInvalid(errors)
    seen = PackageChange.objects.filter(pk=change_id).first()
    if seen is None:
        raise PackageStateError("No such change.")
    package = _lock(seen.package_id)
    change = PackageChange.objects.get(pk=seen.pk)
    change.package = package
    if change.kind != PackageChange.Kind.VARIATION or change.status != PackageChange.Status.PROPOSED:
        raise ChangeClosed("Only a variation waiting for the provider's answer can be withdrawn.")
    change_transition(
        change=change, to_status=PackageChange.Status.WITHDRAWN, actor=withdrawn_by, summary="withdrawn", reason=reason
    )
    return change


def variations_expire_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Variations whose time to answer has passed (for the beat sweep)."""
    now = now or timezone.now()
    return list(
        PackageChange.objects.filter(
            kind=PackageChange.Kind.VARIATION, status=PackageChange.Status.PROPOSED, respond_by__lt=now
        )
        .order_by("respond_by")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def variation_expire(*, change_id: int) -> str:
    """No answer in time counts as a decline: re-broker. Idempotent: a change already moved is left alone."""
    seen = PackageChange.objects.filter(pk=change_id).first()
    if seen is None:
        return "missing"
    package = _lock(seen.package_id)
    change = PackageChange.objects.get(pk=seen.pk)
    change.package = package
    if change.status != PackageChange.Status.PROPOSED or change.respond_by is None:
        return change.status
    if timezone.now() <= change.respond_by:
        return change.status
    change.decided_at = timezone.now()  # decided by no one: the deadline passed
    change_transition(
        change=change,
        to_status=PackageChange.Status.EXPIRED,
        actor=None,
        summary="variation not answered in time",
        update_fields=("decided_at",),
    )
    if package.status in CarePackage.LIVE_STATUSES:
        _variation_rebroker_locked(package, change, actor=None, why="re-brokered: variation not answered in time")
    return change.status


# --- Suspension and resumption -------------------------------------------------------------------------


@transaction.atomic
def package_suspend(
    *,
    package_id: int,
    suspended_by: Actor,
    starts_on: date,
    expected_return_on: date | None,
    reason: str,
    note: str = "",
) -> PackageChange:
    """Suspend care (hospital, respite, holiday) from ``starts_on``; the agreement's retainer days are paid.

    A variation still waiting for the provider is withdrawn: it is proposed again once care resumes.
    """
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if reason not in PackageChange.SuspensionReason.values:
        errors["reason"] = ["Choose why care is suspended."]
    errors.update(_date_errors("starts_on", starts_on, today=today, earliest=today - timedelta(days=7)))
    if expected_return_on is not None and expected_return_on <= starts_on:
        errors["expected_return_on"] = ["The expected return must be after the suspension starts."]
    errors.update(_note_errors(note, required="Say why." if reason == PackageChange.SuspensionReason.OTHER else ""))
    if errors:
        raise ChangeInvalid(errors)
    package = _lock(package_id)
    _require_live(package, "suspended")
    if _active_suspension(package) is not None:
        raise PackageStateError(f"{package.reference} is already suspended.")
    changes_withdraw_locked(package, actor=suspended_by, why="withdrawn: the package was suspended")
    change = PackageChange(
        package=package,
        kind=PackageChange.Kind.SUSPENSION,
        provider_id=package.awarded_provider_id,
        round_number=package.round_number,
        effective_from=starts_on,
        expected_return_on=expected_return_on,
        reason_code=reason,
        note=note,
        previous=_previous(package),
        retainer_days=package.agreement.suspension_retainer_days,
        created_at=timezone.now(),
        requested_by=suspended_by if isinstance(suspended_by, User) else None,
    )
    change_transition(
        change=change,
        to_status=PackageChange.Status.ACTIVE,
        actor=suspended_by,
        summary=(
            f"suspended from {starts_on:%d %B %Y} ({PackageChange.SuspensionReason(reason).label}); "
            f"{change.retainer_days} retainer days"
        ),
        reason=note,
        data={"expected_return_on": expected_return_on, "retainer_days": change.retainer_days},
    )
    change_event(EventKind.PACKAGE_SUSPENDED, change)
    enqueue_on_commit(NOTIFY_CHANGE_TASK, change.pk)
    return change


@transaction.atomic
def package_resume(*, package_id: int, resumed_by: Actor, resumed_on: date) -> PackageChange:
    """Care resumes on ``resumed_on`` with the same provider."""
    package = _lock(package_id)
    suspension = _active_suspension(package)
    if suspension is None:
        raise PackageStateError(f"{package.reference} is not suspended.")
    errors = _date_errors(
        "resumed_on", resumed_on, today=timezone.localdate(), earliest=suspension.effective_from + timedelta(days=1)
    )
    if errors:
        raise ChangeInvalid(errors)
    suspension.package = package
    suspension.resumed_on = resumed_on
    suspension.notified_at = None  # the provider is told of the resumption too
    change_transition(
        change=suspension,
        to_status=PackageChange.Status.RESUMED,
        actor=resumed_by,
        summary=f"care resumes on {resumed_on:%d %B %Y}",
        update_fields=("resumed_on", "notified_at"),
    )
    change_event(EventKind.PACKAGE_RESUMED, suspension)
    enqueue_on_commit(NOTIFY_CHANGE_TASK, suspension.pk)
    return suspension


@transaction.atomic
def package_suspension_rebroker(
    *, package_id: int, requested_by: Actor, reason: str, exclude_current_provider: bool = True
) -> PackageChange:
    """The provider cannot restart after a suspension: the package is re-brokered; care resumes with the new
    provider's start."""
    errors = _note_errors(reason, required="Say why the package is re-brokered.")
    if errors:
        raise ChangeInvalid(errors)
    package = _lock(package_id)
    suspension = _active_suspension(package)
    if suspension is None:
        raise PackageStateError(f"{package.reference} is not suspended.")
    suspension.package = package
    suspension.exclude_current_provider = exclude_current_provider
    suspension.save(update_fields=["exclude_current_provider"])
    _rebroker_locked(package, suspension, actor=requested_by, why=f"re-brokered after suspension: {reason}")
    return suspension


# --- End ----------------------------------------------------------------------------------------------


@transaction.atomic
def package_change_end(
    *, package_id: int, ended_by: Actor, ended_on: date, reason: str, note: str = ""
) -> PackageChange:
    """End the care with a reason; ``ended_on`` is the last day of care (paid).

    1. Refuse a package that never had care awarded (cancel it instead) or has ended already.
    2. Withdraw open offers and the changes still open (a variation waiting, a suspension in effect).
    3. Record the end and move the package to ended.
    """
    errors: dict[str, list[str]] = {}
    if reason not in PackageChange.EndReason.values:
        errors["reason"] = ["Choose why care ends."]
    errors.update(_note_errors(note))
    if errors:
        raise ChangeInvalid(errors)
    package = _lock(package_id)
    if package.status in (CarePackage.Status.ENDED, CarePackage.Status.CANCELLED):
        raise PackageStateError(f"{package.reference} is already {package.get_status_display().lower()}.")
    ever_awarded = package.offers.filter(status=Offer.Status.AWARDED).exists()
    if not ever_awarded:
        raise PackageStateError(f"{package.reference} never had care awarded: cancel it instead.")
    care_from = care_from_of(package)
    earliest = min(care_from or timezone.localdate(), timezone.localdate() - timedelta(days=31))
    date_errors = _date_errors("ended_on", ended_on, today=timezone.localdate(), earliest=earliest)
    if date_errors:
        raise ChangeInvalid(date_errors)
    now = timezone.now()
    why = f"package ended: {PackageChange.EndReason(reason).label}"
    for offer in package.offers.filter(status__in=Offer.OPEN_STATUSES):
        offer.closed_at = now
        offer_transition(
            offer=offer,
            to_status=Offer.Status.WITHDRAWN,
            actor=ended_by,
            summary=f"Offer of {package.reference} withdrawn: {why}",
            update_fields=("closed_at",),
        )
    changes_withdraw_locked(package, actor=ended_by, why=f"withdrawn: {why}")
    for open_change in package.changes.filter(
        status__in=(PackageChange.Status.ACTIVE, PackageChange.Status.REBROKERING)
    ):
        open_change.package = package
        change_transition(change=open_change, to_status=PackageChange.Status.WITHDRAWN, actor=ended_by, summary=why)
    change = PackageChange(
        package=package,
        kind=PackageChange.Kind.END,
        provider_id=package.awarded_provider_id,
        round_number=package.round_number,
        effective_from=ended_on,
        reason_code=reason,
        note=note,
        previous=_previous(package),
        created_at=now,
        requested_by=ended_by if isinstance(ended_by, User) else None,
    )
    change_transition(
        change=change,
        to_status=PackageChange.Status.COMPLETED,
        actor=ended_by,
        summary=f"care ends after {ended_on:%d %B %Y}: {PackageChange.EndReason(reason).label}",
        reason=note,
    )
    package.ended_on = ended_on
    package.next_action_at = None
    package_transition(
        package=package,
        to_status=CarePackage.Status.ENDED,
        actor=ended_by,
        summary=f"care ended on {ended_on:%d %B %Y}",
        reason=f"{PackageChange.EndReason(reason).label}. {note}".strip(),
        update_fields=("ended_on", "next_action_at"),
        data={"change": change.pk, "end_reason": reason},
    )
    package_event(EventKind.PACKAGE_ENDED, package, extra={"end": change_summary(change)})
    if change.provider_id is not None:
        enqueue_on_commit(NOTIFY_CHANGE_TASK, change.pk)
    return change


# --- Reviews ------------------------------------------------------------------------------------------


@transaction.atomic
def package_review_record(
    *, package_id: int, reviewed_by: Actor, reviewed_on: date, next_review_on: date | None = None, note: str = ""
) -> PackageChange:
    """Record a review of the person's care; the next falls a year later unless the officer sets it."""
    today = timezone.localdate()
    errors = _note_errors(note)
    if reviewed_on > today:
        errors["reviewed_on"] = ["A review is recorded on or after the day it was held."]
    next_on = next_review_on or reviewed_on + NEXT_REVIEW_AFTER
    if next_on <= today:
        errors["next_review_on"] = ["The next review must be after today."]
    if errors:
        raise ChangeInvalid(errors)
    package = _lock(package_id)
    _require_live(package, "reviewed")
    change = PackageChange(
        package=package,
        kind=PackageChange.Kind.REVIEW,
        provider_id=package.awarded_provider_id,
        round_number=package.round_number,
        effective_from=reviewed_on,
        note=note,
        created_at=timezone.now(),
        requested_by=reviewed_by if isinstance(reviewed_by, User) else None,
    )
    change_transition(
        change=change,
        to_status=PackageChange.Status.COMPLETED,
        actor=reviewed_by,
        summary=f"reviewed on {reviewed_on:%d %B %Y}; next review {next_on:%d %B %Y}",
        reason=note,
        data={"next_review_on": next_on},
    )
    package.review_on = next_on
    package.save(update_fields=["review_on"])
    return change


# --- Provider requests --------------------------------------------------------------------------------


@transaction.atomic
def package_change_request(
    *,
    package_id: int,
    provider_user: User,
    note: str,
    visits: Sequence[VisitData] = (),
    effective_from: date | None = None,
) -> PackageChange:
    """The current provider asks for a change ("needs more time"), with the visits it proposes if it can."""
    today = timezone.localdate()
    errors = _note_errors(note, required="Say what should change and why.")
    start = effective_from or today
    errors.update(_date_errors("effective_from", start, today=today))
    package = _lock(package_id)
    pattern = CarePattern(
        visits=tuple(visits),
        required_skills=tuple(package.required_skills),
        carer_gender=package.carer_gender,
        special_requirements=package.special_requirements,
    )
    if visits:
        errors.update(pattern_errors(pattern))
    if errors:
        raise ChangeInvalid(errors)
    offer = awarded_offer_for_provider(package=package, provider_user=provider_user)
    if offer is None or package.status not in CarePackage.LIVE_STATUSES:
        raise PackageStateError(f"{package.reference} is not currently awarded to you.")
    change = PackageChange(
        package=package,
        kind=PackageChange.Kind.REQUEST,
        provider_id=offer.provider_id,
        round_number=package.round_number,
        effective_from=start,
        note=note,
        pattern=pattern.to_json() if visits else {},
        previous=_previous(package),
        created_at=timezone.now(),
        requested_by=provider_user,
    )
    change_transition(
        change=change,
        to_status=PackageChange.Status.REQUESTED,
        actor=provider_user,
        summary="change requested by the provider",
        reason=note,
    )
    return change


@transaction.atomic
def change_request_decide(
    *,
    change_id: int,
    decided_by: User,
    approve: bool,
    note: str = "",
    effective_from: date | None = None,
    visits: Sequence[VisitData] = (),
) -> PackageChange:
    """An officer approves a provider's request (it becomes an agreed variation, in force from its date) or
    refuses it with a reason. Approving needs the new visits: the provider's, or the officer's own."""
    seen = PackageChange.objects.filter(pk=change_id, kind=PackageChange.Kind.REQUEST).first()
    if seen is None:
        raise PackageStateError("No such request.")
    package = _lock(seen.package_id)
    request = PackageChange.objects.get(pk=seen.pk)
    request.package = package
    if request.status != PackageChange.Status.REQUESTED:
        raise ChangeClosed(f"This request has already been decided ({request.get_status_display().lower()}).")
    today = timezone.localdate()
    if not approve:
        errors = _note_errors(note, required="Say why the request is refused.")
        if errors:
            raise ChangeInvalid(errors)
        request.decided_by = decided_by
        request.decided_at = timezone.now()
        change_transition(
            change=request,
            to_status=PackageChange.Status.REFUSED,
            actor=decided_by,
            summary="change request refused",
            reason=note,
            update_fields=("decided_by", "decided_at"),
        )
        enqueue_on_commit(NOTIFY_CHANGE_TASK, request.pk)
        return request
    start = effective_from or max(request.effective_from, today)
    pattern = (
        CarePattern(
            visits=tuple(visits),
            required_skills=tuple(package.required_skills),
            carer_gender=package.carer_gender,
            special_requirements=package.special_requirements,
        )
        if visits
        else pattern_from_json(request.pattern)
    )
    errors = _date_errors("effective_from", start, today=today) | pattern_errors(pattern) | _note_errors(note)
    if errors:
        raise ChangeInvalid(errors)
    _require_live(package, "varied")
    if package.awarded_provider_id != request.provider_id:
        raise ChangeClosed(f"{package.reference} is no longer with the provider that asked.")
    if _active_suspension(package) is not None:
        raise PackageStateError(f"{package.reference} is suspended: resume it before varying the care.")
    changes_withdraw_locked(package, actor=decided_by, why="withdrawn: replaced by the provider's request")
    if same_visits(pattern.visits, pattern_of(package).visits):
        raise ChangeInvalid({"visits": ["The new care is the same as the current care: change something."]})
    request.decided_by = decided_by
    request.decided_at = timezone.now()
    change_transition(
        change=request,
        to_status=PackageChange.Status.APPROVED,
        actor=decided_by,
        summary="change request approved",
        reason=note,
        update_fields=("decided_by", "decided_at"),
    )
    return _variation_create(
        package,
        pattern=pattern,
        effective_from=start,
        requested_by=decided_by,
        respond_by=None,
        exclude_current_provider=False,
        note=note,
        source_request=request,
    )
