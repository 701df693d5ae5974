"""Demo step: a few months of brokerage history, made by running the real services and allocation engine.

Fictional referrals arrive over the last 16 weeks; demo providers keep capacity in a few areas and answer
offers the way their profile says (some quick and keen, some slow, some silent). Everything happens
through the brokerage services (submit, rank, offer, accept, decline, expire, award, escalate, hand back,
care start, end), each at its simulated moment (``time_machine``), so the CCC dashboard's figures come
from real histories. Events after the present are left for the real clock: the demo ends with a live
waiting list, open offers and packages awaiting care.

Idempotent: if the demo's packages exist it does nothing. Seeded, so every run tells the same story.
"""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import time_machine
from django.contrib.auth.models import Group, User
from django.core.management.base import OutputWrapper
from django.db.models import Count
from django.utils import timezone

from brokerage.isa import IsaData, PersonData, VisitData
from brokerage.models import CarePackage, DeclineReason, HandBack, Offer, ProviderCapabilities, ProviderCapacity, Skill
from brokerage.services.brokering import package_broker
from brokerage.services.packages import IsaInvalid, package_end, package_enter, package_record_care_started
from brokerage.services.responses import (
    OfferClosed,
    offer_accept,
    offer_decline,
    package_award_manually,
    package_hand_back,
    package_rebroker,
)
from contracts.models import Agreement, Urgency
from homecare.accounts.audiences import Audience
from homecare.queue import enqueue_suspended
from providers.geography import locality_area_for
from providers.models import LocalityArea, Postcode, Provider, ProviderStaff

SOURCE = "demo"
REFERRALS = 150
# Referrals in the last day and a half, so the CCC opens the demo on a live waiting list.
RECENT_REFERRALS = 8
WEEKS = 16
SEED = 20241
FIRST_NAMES = [
    "Edith",
    "Albert",
    "Joan",
    "Harold",
    "Margaret",
    "Stanley",
    "Doris",
    "Arthur",
    "Irene",
    "Kamal",
    "Nasreen",
    "Zofia",
]
LAST_NAMES = ["Demo-Hobson", "Demo-Pickard", "Demo-Crawley", "Demo-Ahmed", "Demo-Kowalski", "Demo-Smith", "Demo-Walsh"]
# Weekly visit patterns: (time windows of the day's calls, minutes, carers).
PATTERNS = [
    ([(time(7, 30), time(9, 30))], 45, 1),
    ([(time(7, 30), time(9, 30)), (time(19, 0), time(21, 0))], 30, 1),
    (
        [
            (time(7, 30), time(9, 30)),
            (time(12, 0), time(13, 30)),
            (time(16, 30), time(18, 0)),
            (time(19, 30), time(21, 30)),
        ],
        30,
        1,
    ),
    ([(time(7, 30), time(9, 30)), (time(19, 30), time(21, 30))], 45, 2),
]


@dataclass(frozen=True)
class Profile:
    """How a provider answers offers: how often, how fast, and how often yes."""

    respond_rate: float
    accept_rate: float
    median_hours: float


def _profile(provider_id: int) -> Profile:
    rng = random.Random(SEED * 7919 + provider_id)  # noqa: S311 - a seeded story, not a secret
    return Profile(
        respond_rate=rng.uniform(0.35, 0.95), accept_rate=rng.uniform(0.1, 0.55), median_hours=rng.uniform(0.5, 14)
    )


def _staff(provider: Provider) -> User:
    """A portal user who answers for the provider in the simulation (cannot sign in: no password)."""
    existing = ProviderStaff.objects.filter(provider=provider).select_related("user").first()
    if existing is not None:
        return existing.user
    user, _ = User.objects.get_or_create(username=f"demo-rota-{provider.pk}", defaults={"first_name": "Demo rota"})
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Audience.PROVIDER.group_name)[0])
    ProviderStaff.objects.get_or_create(user=user, defaults={"provider": provider})
    return user


def _equip_providers(providers: list[Provider], areas: list[LocalityArea], rng: random.Random, now: datetime) -> None:
    """Capacity in the provider's own area and one to three neighbours; capabilities by profile."""
    for provider in providers:
        home = provider.locations.exclude(locality_area=None).values_list("locality_area_id", flat=True).first()
        served = {home} if home else set()
        served |= {area.pk for area in rng.sample(areas, min(len(areas), rng.randint(1, 3)))}
        for area_id in served:
            ProviderCapacity.objects.update_or_create(
                provider=provider,
                locality_area_id=area_id,
                defaults={"hours_available_per_week": Decimal(rng.choice([15, 25, 40, 60, 80])), "updated_at": now},
            )
        skills = [Skill.DEMENTIA] if rng.random() < 0.85 else []
        skills += [
            s for s in (Skill.END_OF_LIFE, Skill.HOIST, Skill.MEDICATION, Skill.CATHETER_STOMA) if rng.random() < 0.5
        ]
        languages = ["English", *rng.sample(["Urdu", "Punjabi", "Polish", "Bengali"], rng.choice([0, 0, 1, 2]))]
        ProviderCapabilities.objects.update_or_create(
            provider=provider,
            defaults={
                "double_handed": rng.random() < 0.7,
                "lead_time_days": rng.choice([0, 1, 1, 2, 3, 5]),
                "skills": sorted(skills),
                "languages": languages,
                "carer_genders": ["female", "male"] if rng.random() < 0.8 else ["female"],
                "visits_from": time(7, 0),
                "visits_until": time(22, 0) if rng.random() < 0.8 else time(20, 0),
                "updated_at": now,
            },
        )


def _postcodes(rng: random.Random, wanted: int = 300) -> list[str]:
    """Real Leeds postcodes inside a locality area."""
    pool = list(
        Postcode.objects.filter(outward__startswith="LS").order_by("postcode").values_list("postcode", flat=True)[::97]
    )
    rng.shuffle(pool)
    found = []
    for postcode in pool:
        if locality_area_for(postcode) is not None:
            found.append(postcode)
        if len(found) >= wanted:
            break
    return found


def _referral(number: int, agreement: Agreement, postcode: str, submitted: datetime, rng: random.Random) -> IsaData:
    urgency = rng.choices([Urgency.HOSPITAL_DISCHARGE, Urgency.URGENT, Urgency.ROUTINE], [3, 2, 5])[0]
    windows, minutes, carers = rng.choices(PATTERNS, [3, 4, 3, 1])[0]
    lead = {Urgency.HOSPITAL_DISCHARGE: 1, Urgency.URGENT: 2, Urgency.ROUTINE: 7}[urgency]
    skills = tuple(
        s for s, p in ((Skill.DEMENTIA, 0.35), (Skill.END_OF_LIFE, 0.08), (Skill.HOIST, 0.1)) if rng.random() < p
    )
    return IsaData(
        source_system=SOURCE,
        external_reference=f"DEMO-{number:05d}",
        agreement_reference=agreement.reference,
        person=PersonData(
            given_name=rng.choice(FIRST_NAMES),
            family_name=rng.choice(LAST_NAMES),
            address_line_1=f"{rng.randint(1, 180)} Demo Street",
            postcode=postcode,
            mosaic_person_id=f"DEMO-P{number:06d}",
            date_of_birth=date(rng.randint(1925, 1960), rng.randint(1, 12), rng.randint(1, 28)),
        ),
        visits=tuple(VisitData(day, start, end, minutes, carers) for day in range(7) for start, end in windows),
        requested_start_on=timezone.localdate(submitted) + timedelta(days=lead),
        urgency=urgency,
        required_skills=skills,
        language=rng.choice(["", "", "", "", "", "", "", "", "", "Urdu", "Polish"]),
    )


class _Simulation:
    def __init__(self, agreement: Agreement, officer: User | None, ccc: User | None, end: datetime) -> None:
        self.agreement, self.officer, self.ccc, self.end = agreement, officer, ccc, end
        self.rng = random.Random(SEED)  # noqa: S311 - a seeded story, not a secret
        self.queue: list[tuple[datetime, int, str, tuple[Any, ...]]] = []
        self.counter = itertools.count()
        self.scheduled_offers: set[int] = set()
        self.staff: dict[int, User] = {}

    def at(self, when: datetime, kind: str, *args: Any) -> None:
        if when <= self.end:
            heapq.heappush(self.queue, (when, next(self.counter), kind, args))

    def run(self, *, start: datetime, stdout: OutputWrapper | None = None) -> None:
        week = 0
        while self.queue:
            when, _, kind, args = heapq.heappop(self.queue)
            reached = min(WEEKS, int((when - start) / timedelta(weeks=1)) + 1)
            if stdout is not None and reached > week:
                # The longest step: a line per simulated week, so a newcomer sees it moving.
                week = reached
                stdout.write(f"    Brokerage: simulating week {week} of {WEEKS} ({len(self.queue)} events waiting)")
            with time_machine.travel(when, tick=False):
                getattr(self, f"on_{kind}")(*args)

    def _staff_for(self, provider_id: int) -> User:
        # Looked up once per provider (not on every answer, as ``setdefault(..., _staff(...))`` would).
        if provider_id not in self.staff:
            self.staff[provider_id] = _staff(Provider.objects.get(pk=provider_id))
        return self.staff[provider_id]

    def follow(self, package_id: int) -> None:
        """Schedule the providers' answers to newly sent offers, and the package's next deadline."""
        package = CarePackage.objects.get(pk=package_id)
        now = timezone.now()
        for offer in package.offers.filter(status=Offer.Status.PENDING):
            # Skipped here, not in SQL: an ``exclude(pk__in=...)`` would send every offer scheduled so far
            # (thousands by the end) with each query, and that was a third of the step's time.
            if offer.pk in self.scheduled_offers:
                continue
            self.scheduled_offers.add(offer.pk)
            profile = _profile(offer.provider_id)
            if self.rng.random() < profile.respond_rate:
                delay = timedelta(hours=self.rng.lognormvariate(0, 0.9) * profile.median_hours)
                self.at(now + delay, "respond", offer.pk, self.rng.random() < profile.accept_rate)
        if package.status == CarePackage.Status.BROKERING and package.next_action_at is not None:
            self.at(package.next_action_at + timedelta(minutes=1), "tick", package_id)
        elif package.status == CarePackage.Status.UNPLACED:
            self.at(now + timedelta(hours=self.rng.uniform(4, 72)), "ccc", package_id)
        elif package.status == CarePackage.Status.AWARDED and package.awarded_at and package.awarded_at >= now:
            offer = package.offers.get(round_number=package.round_number, status=Offer.Status.AWARDED)
            start = max(offer.proposed_start_on or package.requested_start_on, timezone.localdate(now))
            self.at(timezone.make_aware(datetime.combine(start, time(10))), "start", package_id)

    def on_submit(self, isa: IsaData) -> None:
        try:
            package = package_enter(isa=isa, entered_by=self.officer, submit=True).package
        except IsaInvalid:
            return  # a postcode outside every area: the council would have to choose one by hand
        package_broker(package_id=package.pk)
        self.follow(package.pk)

    def on_respond(self, offer_id: int, accept: bool) -> None:
        offer = Offer.objects.select_related("package").get(pk=offer_id)
        user = self._staff_for(offer.provider_id)
        try:
            if accept:
                lead = self.rng.choice([0, 1, 2, 3])
                start = max(offer.package.requested_start_on, timezone.localdate()) + timedelta(days=lead)
                offer_accept(offer_id=offer_id, provider_user=user, start_on=start)
            else:
                reason = self.rng.choices(DeclineReason.values, [5, 3, 1, 1, 2, 2, 1])[0]
                offer_decline(
                    offer_id=offer_id,
                    provider_user=user,
                    reason=reason,
                    note="Demo: rota full" if reason == "other" else "",
                )
        except OfferClosed:
            return  # the package was awarded, expired or withdrawn before this provider got round to it
        self.follow(offer.package_id)

    def on_tick(self, package_id: int) -> None:
        package_broker(package_id=package_id)
        self.follow(package_id)

    def on_ccc(self, package_id: int) -> None:
        package = CarePackage.objects.get(pk=package_id)
        if package.status != CarePackage.Status.UNPLACED:
            return
        if self.rng.random() < 0.5 or package.round_number >= 3:
            candidates = list(package.offers.values_list("provider_id", flat=True)) or list(
                Provider.objects.filter(is_demo=True).values_list("pk", flat=True)[:5]
            )
            package_award_manually(
                package_id=package_id,
                provider_id=self.rng.choice(candidates),
                awarded_by=self.ccc or self.officer,  # type: ignore[arg-type]
                reason="Demo: placed by phone after escalation to the CCC",
            )
        else:
            package_rebroker(package_id=package_id, requested_by=self.ccc, reason="Demo: capacity freed up in the area")
            package_broker(package_id=package_id)
        self.follow(package_id)

    def on_start(self, package_id: int) -> None:
        package = CarePackage.objects.get(pk=package_id)
        if package.status != CarePackage.Status.AWARDED:
            return
        package_record_care_started(package_id=package_id, started_on=timezone.localdate(), recorded_by=None)
        now = timezone.now()
        roll = self.rng.random()
        if roll < 0.06:
            self.at(now + timedelta(days=self.rng.randint(10, 50)), "hand_back", package_id)
        elif roll < 0.2:
            self.at(now + timedelta(days=self.rng.randint(14, 80)), "end", package_id)

    def on_hand_back(self, package_id: int) -> None:
        package = CarePackage.objects.get(pk=package_id)
        if package.status not in CarePackage.LIVE_STATUSES or package.awarded_provider is None:
            return
        offer = package.offers.get(round_number=package.round_number, status=Offer.Status.AWARDED)
        user = self._staff_for(offer.provider_id)
        reason = self.rng.choice(HandBack.Reason.values[:3])
        package_hand_back(
            offer_id=offer.pk,
            provider_user=user,
            effective_on=timezone.localdate() + timedelta(days=14),
            reason=reason,
        )
        package_broker(package_id=package_id)
        self.follow(package_id)

    def on_end(self, package_id: int) -> None:
        if CarePackage.objects.filter(pk=package_id, status=CarePackage.Status.CARE_STARTED).exists():
            package_end(package_id=package_id, ended_on=timezone.localdate(), ended_by=None, reason="Demo: needs met")


def load_demo_brokerage(*, stdout: OutputWrapper) -> None:
    if CarePackage.objects.filter(source_system=SOURCE).exists():
        stdout.write(
            f"Brokerage: {CarePackage.objects.filter(source_system=SOURCE).count()} demo packages already loaded."
        )
        return
    agreement = Agreement.objects.filter(reference="Contract ID 84738").first()
    if agreement is None:
        stdout.write("Brokerage: no demo agreement (run the contracts step first); nothing to broker.")
        return
    end = timezone.now()
    start = end - timedelta(weeks=WEEKS)
    sim = _Simulation(
        agreement,
        officer=User.objects.filter(username="officer").first(),
        ccc=User.objects.filter(username="ccc").first(),
        end=end,
    )
    providers = list(Provider.objects.filter(is_demo=True, memberships__agreement=agreement).distinct())
    with time_machine.travel(start, tick=False):
        _equip_providers(providers, list(LocalityArea.objects.all()), sim.rng, timezone.now())
    postcodes = _postcodes(sim.rng)
    for number in range(1, REFERRALS + RECENT_REFERRALS + 1):
        if number <= REFERRALS:
            # Referrals arrive in office hours, a little more often as the weeks go on (hospital pressure).
            day = start + timedelta(days=(WEEKS * 7 - 1) * (sim.rng.random() ** 0.85))
            submitted = day.replace(hour=sim.rng.randint(9, 16), minute=sim.rng.randint(0, 59))
        else:
            submitted = end - timedelta(minutes=sim.rng.randint(60, 36 * 60))
        with time_machine.travel(submitted, tick=False):
            isa = _referral(number, agreement, sim.rng.choice(postcodes), submitted, sim.rng)
        sim.at(submitted, "submit", isa)
    # The simulation does the brokering itself, at each simulated moment; what happened in the past emails
    # nobody now. Offers still open afterwards are emailed by the every-minute sweep, like any lost email.
    try:
        with enqueue_suspended():
            sim.run(start=start, stdout=stdout)
    except BaseException:
        # Each service call commits on its own (their transactions are durable): undo the half-made history.
        CarePackage.objects.filter(source_system=SOURCE).delete()
        raise
    counts = dict(CarePackage.objects.filter(source_system=SOURCE).values_list("status").annotate(n=Count("id")))
    offers = Offer.objects.filter(package__source_system=SOURCE).count()
    stdout.write(
        f"Brokerage: {sum(counts.values())} demo referrals over {WEEKS} weeks through the real engine and services, "
        f"{offers} offers; by status: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) + "."
    )


# The real services it runs open durable (outermost) transactions; it undoes its own history if it fails.
load_demo_brokerage.manages_own_transactions = True  # type: ignore[attr-defined]
