"""A small brokerage history with known timestamps, so every dashboard figure can be worked out by hand.

``NOW`` is Monday 2 March 2026, 12:00 (London is on GMT then). Six packages, two areas, three providers:

=====  =====  ==================  =====  ===========  ========  ===========  ==================
pkg    area   urgency             hours  submitted    response  award        care started
=====  =====  ==================  =====  ===========  ========  ===========  ==================
P1     North  hospital discharge  10     NOW - 10 d   + 2 h     + 4 h        next day
P2     North  routine             20     NOW - 9 d    + 6 h     + 10 h       3 days later
P3     South  hospital discharge  5      NOW - 8 d    + 1 h     + 2 h        (awarded, not yet)
P4     South  routine             15     NOW - 7 d    + 12 h    unplaced     deadline passed
P5     North  routine             8      NOW - 2 d    none      brokering    deadline ahead
P6     South  hospital discharge  12     NOW - 6 d    + 4 h     + 8 h        2 days later, ended
=====  =====  ==================  =====  ===========  ========  ===========  ==================

Offers (all round 1): P1 A awarded (+2 h), B declined no capacity (+3 h); P2 A expired, B awarded (+6 h);
P3 C awarded (+1 h); P4 A declined times (+12 h), C declined no capacity (+14 h), B expired;
P5 A and B pending; P6 B awarded (+4 h). One hand-back: B gave P2 back (staffing) a day ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from brokerage.models import CarePackage, DeclineReason, HandBack, Offer
from contracts.models import Agreement, Urgency
from providers.models import LocalityArea, Provider
from tests.contracts.factories import AgreementFactory
from tests.factories import ProviderFactory

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


@dataclass
class World:
    agreement: Agreement
    north: LocalityArea
    south: LocalityArea
    a: Provider
    b: Provider
    c: Provider
    packages: dict[str, CarePackage]


def make_package(
    *,
    agreement: Agreement,
    area: LocalityArea | None,
    urgency: str,
    hours: int | Decimal,
    submitted: datetime,
    status: str,
    response: timedelta | None = None,
    award: timedelta | None = None,
    provider: Provider | None = None,
    started_after_days: int | None = None,
    deadline: datetime | None = None,
) -> CarePackage:
    return CarePackage.objects.create(
        agreement=agreement,
        locality_area=area,
        postcode_district="LS6",
        hours_per_week=Decimal(hours),
        requested_start_on=submitted.date(),
        urgency=urgency,
        status=status,
        round_number=1,
        created_at=submitted - H,
        submitted_at=submitted,
        first_response_at=None if response is None else submitted + response,
        awarded_at=None if award is None else submitted + award,
        awarded_provider=provider if award is not None else None,
        care_started_on=None if started_after_days is None else submitted.date() + timedelta(days=started_after_days),
        deadline_at=deadline,
    )


def make_offer(
    package: CarePackage,
    provider: Provider,
    status: str,
    *,
    after: timedelta | None = None,
    reason: str = "",
    round_number: int = 1,
    sent: datetime | None = None,
) -> Offer:
    assert package.submitted_at is not None
    sent = sent or package.submitted_at
    responded = None if after is None or status == Offer.Status.EXPIRED else sent + after
    closed = None if status == Offer.Status.PENDING else (responded or sent + 24 * H)
    return Offer.objects.create(
        package=package,
        provider=provider,
        round_number=round_number,
        status=status,
        sent_at=sent,
        respond_by=sent + 24 * H,
        responded_at=responded,
        decline_reason=reason,
        closed_at=closed,
    )


def make_world(now: datetime = NOW) -> World:
    """The six packages, dated relative to ``now`` (the hand-computed figures assume the default)."""
    agreement = AgreementFactory(name="Demo: Interim Homecare Agreement")
    north = LocalityArea.objects.create(name="North", code="north", display_order=1)
    south = LocalityArea.objects.create(name="South", code="south", display_order=2)
    a = ProviderFactory(name="Alpha Care")
    b = ProviderFactory(name="Beta Care")
    c = ProviderFactory(name="Gamma Care")
    hd, routine = Urgency.HOSPITAL_DISCHARGE, Urgency.ROUTINE
    status = CarePackage.Status
    common = {"agreement": agreement}
    p1 = make_package(
        **common,
        area=north,
        urgency=hd,
        hours=10,
        submitted=now - 10 * D,
        status=status.CARE_STARTED,
        response=2 * H,
        award=4 * H,
        provider=a,
        started_after_days=1,
        deadline=now - 9 * D,
    )
    p2 = make_package(
        **common,
        area=north,
        urgency=routine,
        hours=20,
        submitted=now - 9 * D,
        status=status.CARE_STARTED,
        response=6 * H,
        award=10 * H,
        provider=b,
        started_after_days=3,
        deadline=now - 2 * D,
    )
    p3 = make_package(
        **common,
        area=south,
        urgency=hd,
        hours=5,
        submitted=now - 8 * D,
        status=status.AWARDED,
        response=H,
        award=2 * H,
        provider=c,
        deadline=now - 7 * D,
    )
    p4 = make_package(
        **common,
        area=south,
        urgency=routine,
        hours=15,
        submitted=now - 7 * D,
        status=status.UNPLACED,
        response=12 * H,
        deadline=now - 2 * D,
    )
    p5 = make_package(
        **common,
        area=north,
        urgency=routine,
        hours=8,
        submitted=now - 2 * D,
        status=status.BROKERING,
        deadline=now + 3 * D,
    )
    p6 = make_package(
        **common,
        area=south,
        urgency=hd,
        hours=12,
        submitted=now - 6 * D,
        status=status.ENDED,
        response=4 * H,
        award=8 * H,
        provider=b,
        started_after_days=2,
        deadline=now - 5 * D,
    )
    offer = Offer.Status
    make_offer(p1, a, offer.AWARDED, after=2 * H)
    make_offer(p1, b, offer.DECLINED, after=3 * H, reason=DeclineReason.NO_CAPACITY)
    make_offer(p2, a, offer.EXPIRED)
    p2_award = make_offer(p2, b, offer.AWARDED, after=6 * H)
    make_offer(p3, c, offer.AWARDED, after=H)
    make_offer(p4, a, offer.DECLINED, after=12 * H, reason=DeclineReason.CANNOT_MEET_TIMES)
    make_offer(p4, c, offer.DECLINED, after=14 * H, reason=DeclineReason.NO_CAPACITY)
    make_offer(p4, b, offer.EXPIRED)
    make_offer(p5, a, offer.PENDING)
    make_offer(p5, b, offer.PENDING)
    make_offer(p6, b, offer.AWARDED, after=4 * H)
    # Awards are dated by when the winning offer closed: make them match the packages' award times.
    for package in (p1, p2, p3, p6):
        Offer.objects.filter(package=package, status=offer.AWARDED).update(closed_at=package.awarded_at)
    HandBack.objects.create(
        package=p2,
        provider=b,
        offer=p2_award,
        round_number=1,
        notice_given_at=now - D,
        effective_on=date(2026, 3, 15),
        reason=HandBack.Reason.STAFFING,
    )
    return World(agreement, north, south, a, b, c, {"P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5, "P6": p6})
