"""Reads about changes after award: lists for each audience, reviews due, and costs with changes applied.

``cost_between`` is the cost of a package over any period with every change applied from its date: the
visit pattern in force each day (a variation counts from ``applied_from``), nothing before care started or
after it ended, and a suspension's days unpaid after its retainer. Each day is costed by THE costing rule,
``contracts.costing`` (service type per visit, rate in force that day), rounded once per service type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from brokerage.changes.patterns import CarePattern, pattern_from_json, pattern_of
from brokerage.models import CarePackage, Offer, PackageChange
from contracts import costing
from contracts.selectors import fee_rate_steps
from homecare.accounts.audiences import Audience, is_member
from providers.models import Provider
from providers.selectors import provider_for_user

UserLike = AbstractBaseUser | AnonymousUser

# The first review falls six weeks after care starts (the Care Act 2014 statutory guidance, 13.32, expects
# a "light-touch" review six to eight weeks in); after each review, the next is a year on (13.32 again).
FIRST_REVIEW_AFTER = timedelta(weeks=6)
NEXT_REVIEW_AFTER = timedelta(days=365)


def _require_officer_or_ccc(user: UserLike) -> None:
    if not (is_member(user, Audience.OFFICER) or is_member(user, Audience.CCC)):
        raise PermissionDenied("Only commissioning officers and CCC staff can see this.")


# --- Costs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderPeriod:
    """The days one provider delivered (or held, while suspended) a package: one award, ``start`` to ``end``."""

    provider_id: int
    offer_id: int
    start: date
    end: date | None  # the last day; None while the provider still holds the package

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _period_start(package: CarePackage, offer: Offer, changes: Sequence[PackageChange], current: bool) -> date | None:
    """When an award's care started: as recorded (on the package while it is the current award, on the offer
    after), else as recorded by a change made in its round before re-brokering cleared it, else as proposed."""
    if current and package.care_started_on is not None:
        return package.care_started_on
    if offer.care_started_on is not None:
        return offer.care_started_on
    for change in changes:
        if change.round_number == offer.round_number and change.previous.get("care_from"):
            return date.fromisoformat(change.previous["care_from"])
    return offer.proposed_start_on


def provider_periods(package: CarePackage) -> list[ProviderPeriod]:
    """Which provider delivered the package on which days, oldest first: THE rule, from its award history.

    Each award (the AWARDED offer of a round) starts on the day its care started. A provider carries on until
    the day before the next provider starts ("the old care continues until the new provider starts": a declined
    variation, a suspension or a CCC re-broker), or to the last day of its hand-back's notice if sooner, or to
    the package's last day of care. A cancelled package has no care; an award that never started has no days.
    """
    if package.status in (CarePackage.Status.DRAFT, CarePackage.Status.CANCELLED):
        return []
    awards = sorted((o for o in package.offers.all() if o.status == Offer.Status.AWARDED), key=lambda o: o.round_number)
    changes = sorted(package.changes.all(), key=lambda c: (c.created_at, c.pk))
    live = package.status in (*CarePackage.LIVE_STATUSES, CarePackage.Status.ENDED)
    current = package.awarded_provider_id
    if live and current is not None and all(o.round_number != package.round_number for o in awards):
        # A placement loaded without its offer row (bulk data): the current award, from the package's own start;
        # a negative id, never an offer's, keeps its period apart from every other in matching.
        awards.append(Offer(pk=-package.pk, provider_id=current, round_number=package.round_number))
    starts = [
        _period_start(package, offer, changes, current=live and offer.round_number == package.round_number)
        for offer in awards
    ]
    handed_back = {h.offer_id: h.effective_on for h in package.hand_backs.all()}
    last_day = package.ended_on if package.status == CarePackage.Status.ENDED else None
    periods: list[ProviderPeriod] = []
    for index, (offer, start) in enumerate(zip(awards, starts, strict=True)):
        if start is None:
            continue
        ends = [day for day in (handed_back.get(offer.pk), last_day) if day is not None]
        ends += [later - timedelta(days=1) for later in starts[index + 1 :] if later is not None][:1]
        end = min(ends) if ends else None
        if end is None or end >= start:
            periods.append(ProviderPeriod(offer.provider_id, offer.pk, start, end))
    return periods


def packages_delivered_by(*, provider: Provider) -> QuerySet[CarePackage]:
    """Every package the provider was ever awarded (any round, live, re-brokered or ended): the ones that can
    have days in its provider periods, so the ones it reports visits for and is paid for."""
    awarded = Offer.objects.filter(provider=provider, status=Offer.Status.AWARDED).values("package_id")
    return CarePackage.objects.filter(Q(pk__in=awarded) | Q(awarded_provider=provider)).exclude(
        status__in=(CarePackage.Status.DRAFT, CarePackage.Status.CANCELLED)
    )


def provider_on(package: CarePackage, day: date) -> int | None:
    """The id of the provider delivering the package on ``day`` (None: nobody, before care or after it)."""
    return next((p.provider_id for p in provider_periods(package) if p.covers(day)), None)


@dataclass(frozen=True)
class _Timeline:
    care_until: date | None
    periods: tuple[ProviderPeriod, ...]
    base: CarePattern
    applied: tuple[tuple[date, CarePattern], ...]  # (first day, pattern), oldest first
    suspensions: tuple[tuple[date, date | None, int], ...]  # (first day off, first day back, retainer days)

    def period_on(self, day: date) -> ProviderPeriod | None:
        if self.care_until is not None and day > self.care_until:
            return None
        return next((p for p in self.periods if p.covers(day)), None)


def care_from_of(package: CarePackage) -> date | None:
    """The first day of the package's care (None before any award's care has a start)."""
    periods = provider_periods(package)
    return periods[0].start if periods else None


def _timeline(package: CarePackage) -> _Timeline:
    changes = sorted(package.changes.all(), key=lambda c: (c.created_at, c.pk))
    # A variation's pattern is written to the package's visit rows once it is decided (accepted, agreed,
    # declined or expired and so re-brokered), whatever happens to it after: its ``previous`` is the care before.
    variations = [c for c in changes if c.kind == PackageChange.Kind.VARIATION and c.decided_at is not None]
    base = pattern_from_json(variations[0].previous) if variations else pattern_of(package)
    applied = tuple(
        sorted(
            ((c.applied_from, pattern_from_json(c.pattern)) for c in variations if c.applied_from is not None),
            key=lambda step: step[0],
        )
    )
    suspensions = tuple(
        (c.effective_from, c.resumed_on, c.retainer_days) for c in changes if c.kind == PackageChange.Kind.SUSPENSION
    )
    until = package.ended_on if package.status == CarePackage.Status.ENDED else None
    return _Timeline(until, tuple(provider_periods(package)), base, applied, suspensions)


def _paid(timeline: _Timeline, day: date) -> bool:
    if timeline.period_on(day) is None:
        return False
    for off, back, retainer in timeline.suspensions:
        if off <= day and (back is None or day < back) and day >= off + timedelta(days=retainer):
            return False
    return True


def _pattern_on(timeline: _Timeline, day: date) -> CarePattern:
    pattern = timeline.base
    for first_day, step in timeline.applied:
        if first_day <= day:
            pattern = step
    return pattern


def cost_between(package: CarePackage, start: date, end: date) -> Decimal:
    """What the package costs from ``start`` to ``end`` inclusive, every change applied from its date.

    Raises ``contracts.costing.NoRateInForce`` for a paid day with no rate for its service type.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    rates = fee_rate_steps(agreement=package.agreement)
    timeline = _timeline(package)
    hours_cache: dict[int, dict[str, dict[int, Decimal]]] = {}
    by_type: dict[str, dict[date, Decimal]] = {}
    day = start
    while day <= end:
        if _paid(timeline, day):
            pattern = _pattern_on(timeline, day)
            hours = hours_cache.get(id(pattern))
            if hours is None:
                hours = costing.hours_by_service_type(
                    pattern.visits, housing_with_care=package.housing_with_care, rated_types=rates
                )
                hours_cache[id(pattern)] = hours
            for service_type, by_weekday in hours.items():
                paid = by_weekday.get(day.weekday(), Decimal(0))
                if paid:
                    by_type.setdefault(service_type, {})[day] = paid
        day += timedelta(days=1)
    total = Decimal(0)
    for service_type, days in by_type.items():
        if service_type not in rates:
            raise costing.NoRateInForce(f"No {service_type.replace('_', ' ')} fee rate is set.")
        total += costing.cost_of_days(days, rates[service_type])
    return total


def weekly_cost_on(package: CarePackage, day: date) -> Decimal:
    """The cost of the seven days from ``day``, with the changes in force on each of them."""
    return cost_between(package, day, day + timedelta(days=6))


@dataclass(frozen=True)
class CareDay:
    """One day of a package's care, with its changes applied (for planned visits and pay runs)."""

    day: date
    provider_id: int  # who delivers (or is retained) that day, by ``provider_periods``
    offer_id: int  # the award whose period the day falls in
    pattern: CarePattern
    delivered: bool  # visits are due: care has started, not ended, not suspended
    retained: bool  # suspended, but within the suspension's retainer days: paid as planned, no visits


def care_days(package: CarePackage, start: date, end: date) -> list[CareDay]:
    """The days from ``start`` to ``end`` on which the package is delivered or retained, oldest first."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    timeline = _timeline(package)
    days: list[CareDay] = []
    day = start
    while day <= end:
        period = timeline.period_on(day)
        if period is not None:
            suspended = any(off <= day and (back is None or day < back) for off, back, _ in timeline.suspensions)
            paid = _paid(timeline, day)
            if paid or not suspended:
                pattern = _pattern_on(timeline, day)
                days.append(
                    CareDay(
                        day,
                        period.provider_id,
                        period.offer_id,
                        pattern,
                        delivered=not suspended,
                        retained=suspended and paid,
                    )
                )
        day += timedelta(days=1)
    return days


# --- Reviews ------------------------------------------------------------------------------------------


def review_due_on(package: CarePackage) -> date | None:
    """The package's next review: as set, else six weeks after care started (None before it starts)."""
    if package.review_on is not None:
        return package.review_on
    if package.care_started_on is not None:
        return package.care_started_on + FIRST_REVIEW_AFTER
    return None


def reviews_due(*, user: UserLike, on: date | None = None) -> QuerySet[CarePackage]:
    """Live packages whose review falls on or before ``on`` (today), soonest first."""
    _require_officer_or_ccc(user)
    on = on or timezone.localdate()
    due = Q(review_on__lte=on) | Q(review_on__isnull=True, care_started_on__lte=on - FIRST_REVIEW_AFTER)
    return (
        CarePackage.objects.filter(due, status__in=CarePackage.LIVE_STATUSES)
        .select_related("awarded_provider", "locality_area")
        .order_by("review_on", "care_started_on", "id")
    )


# --- Lists --------------------------------------------------------------------------------------------


def _changes() -> QuerySet[PackageChange]:
    return PackageChange.objects.select_related("package", "provider", "requested_by").prefetch_related("status_events")


def changes_for_package(*, user: UserLike, package: CarePackage) -> list[PackageChange]:
    _require_officer_or_ccc(user)
    return list(_changes().filter(package=package).order_by("created_at", "id"))


def changes_recent(*, user: UserLike, kind: str = "", status: str = "", limit: int = 200) -> list[PackageChange]:
    """Every change (for the CCC and officers), newest first, optionally of one kind or status."""
    _require_officer_or_ccc(user)
    changes = _changes()
    if kind:
        changes = changes.filter(kind=kind)
    if status:
        changes = changes.filter(status=status)
    return list(changes.order_by("-created_at", "-id")[:limit])


def variations_to_decide(*, user: UserLike) -> QuerySet[PackageChange]:
    """Officers' to-do: provider requests waiting for a decision, oldest first."""
    _require_officer_or_ccc(user)
    return (
        _changes()
        .filter(kind=PackageChange.Kind.REQUEST, status=PackageChange.Status.REQUESTED)
        .order_by("created_at", "id")
    )


def change_get_for_officer(*, user: UserLike, change_id: int) -> PackageChange:
    _require_officer_or_ccc(user)
    change = _changes().filter(pk=change_id).first()
    if change is None:
        raise Http404("No such change.")
    return change


def changes_for_provider(*, provider_user: UserLike) -> QuerySet[PackageChange]:
    """The provider's own changes (those made while it delivered the care), newest first."""
    provider = provider_for_user(user=provider_user)
    return _changes().filter(provider=provider).order_by("-created_at", "-id")


def variations_to_answer(*, provider_user: UserLike) -> QuerySet[PackageChange]:
    """The provider's to-do: variations put to it and waiting for its answer, soonest deadline first."""
    return (
        changes_for_provider(provider_user=provider_user)
        .filter(kind=PackageChange.Kind.VARIATION, status=PackageChange.Status.PROPOSED)
        .order_by("respond_by", "id")
    )


def hand_backs_in_notice(*, provider_user: UserLike, today: date | None = None) -> QuerySet[Offer]:
    """The provider's hand-backs whose notice has not yet run out (it still delivers the care)."""
    provider = provider_for_user(user=provider_user)
    today = today or timezone.localdate()
    return Offer.objects.filter(
        provider=provider, hand_backs__effective_on__gte=today, hand_backs__provider=provider
    ).distinct()


def change_get_for_provider(*, change_id: int, provider_user: UserLike) -> PackageChange:
    """One of the provider's own changes; another provider's is a 404, as if it did not exist."""
    change = changes_for_provider(provider_user=provider_user).filter(pk=change_id).first()
    if change is None:
        raise Http404("No such change.")
    return change


def awarded_offer_for_provider(*, package: CarePackage, provider_user: UserLike) -> Offer | None:
    provider = provider_for_user(user=provider_user)
    return Offer.objects.filter(
        package=package, provider=provider, round_number=package.round_number, status=Offer.Status.AWARDED
    ).first()


@dataclass(frozen=True)
class ChangeFigures:
    """The CCC's figures for changes: what is waiting, in effect and done, by kind."""

    variations_waiting: int
    rebrokering: int
    suspended: int
    requests_waiting: int
    ended: int
    reviews_due: int
    by_kind_and_status: dict[tuple[str, str], int]


def change_figures(*, user: UserLike, today: date | None = None) -> ChangeFigures:
    _require_officer_or_ccc(user)
    counts = Counter(
        {
            (kind, status): n
            for kind, status, n in PackageChange.objects.values("kind", "status")
            .order_by()
            .annotate(n=Count("id"))
            .values_list("kind", "status", "n")
        }
    )
    kinds = PackageChange.Kind
    statuses = PackageChange.Status
    return ChangeFigures(
        variations_waiting=counts[(kinds.VARIATION, statuses.PROPOSED)],
        rebrokering=counts[(kinds.VARIATION, statuses.REBROKERING)] + counts[(kinds.SUSPENSION, statuses.REBROKERING)],
        suspended=counts[(kinds.SUSPENSION, statuses.ACTIVE)],
        requests_waiting=counts[(kinds.REQUEST, statuses.REQUESTED)],
        ended=counts[(kinds.END, statuses.COMPLETED)],
        reviews_due=reviews_due(user=user, on=today).count(),
        by_kind_and_status=dict(counts),
    )
