"""Demo step: ten weeks of brokerage history made by the real allocation engine and services.

Nothing here writes a package, offer or award row itself. It generates fictional referrals and fictional
provider behaviour, then plays them through the same service calls the web pages, the API and Celery make
(``package_receive``, ``package_broker``, ``offer_accept``, ``offer_decline``, ``package_rebroker``,
``package_award_manually``, ``package_record_care_started``, ``package_hand_back``, ``package_end``), each at
its simulated moment (``time_machine`` moves the clock), in time order. So every ranking is stored with its
explanation, every change has its status history and audit event, and the dashboard's figures come from the
same rows a live council would have.

The simulation:

1. Providers (the demo DPS members with a CQC location) declare capacity in the area of their location and
   one or two others, and capabilities (double-handed, lead time, skills); each gets one fictional member of
   staff to answer offers, and a behaviour: how often it answers, how fast, how often it accepts. A few are
   "quiet" (rarely answer), which the CCC's alerts pick up.
2. Referrals arrive through the working day (fewer at weekends) at real Leeds postcodes inside the council's
   locality areas, with a mix of urgencies, visit patterns (some double-handed) and needs.
3. Events run in time order: submission and ranking, each provider's answer before its deadline (or none),
   the policy's clock (response windows, escalation), the CCC re-brokering or an officer awarding by hand,
   care starting, a few hand-backs, and some care ending.

The history ends at the real "now": packages still being brokered stay on the live waiting list.
Idempotent: if demo history already exists the step says so and leaves it alone (a history cannot be
"updated in place"; delete the database to load it afresh).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.contrib.auth.models import Group, User
from django.core.management.base import OutputWrapper
from django.db.models import Count
from django.utils import timezone

from brokerage.alerts.services import alerts_raise
from brokerage.isa import IsaData, PersonData, VisitData
from brokerage.models import (
    CarePackage,
    DeclineReason,
    HandBack,
    Offer,
    ProviderCapabilities,
    ProviderCapacity,
    Skill,
)
from brokerage.services.brokering import package_broker
from brokerage.services.packages import (
    IsaInvalid,
    PackageStateError,
    package_end,
    package_receive,
    package_record_care_started,
)
from brokerage.services.responses import (
    OfferClosed,
    offer_accept,
    offer_decline,
    package_award_manually,
    package_hand_back,
    package_rebroker,
)
from contracts.models import Agreement, MembershipStatus, ProviderMembership, Urgency
from homecare.accounts.audiences import Audience
from providers.geography import locality_area_for
from providers.models import CqcLocation, LocalityArea, Postcode, ProviderStaff

SOURCE = "demo-history"
DAYS = 70
# Areas where the demo market is thin (few providers take work there), so some packages wait.
THIN_AREAS = ("Outer North West", "Outer South", "Outer East")
SEED = 20240401
AGREEMENT_REFERENCE = "Contract ID 84738"
GIVEN = [
    "Ada",
    "Bill",
    "Cora",
    "Dev",
    "Edna",
    "Frank",
    "Gita",
    "Harold",
    "Iris",
    "Jim",
    "Kath",
    "Len",
    "Mavis",
    "Norman",
    "Olive",
    "Percy",
    "Rita",
    "Stan",
    "Thelma",
    "Vera",
    "Walter",
    "Yusuf",
    "Zainab",
    "Arthur",
]
FAMILY = ["Example", "Sample", "Specimen", "Fictional", "Placeholder", "Testcase", "Madeup", "Notreal"]
WINDOWS = [
    (time(7, 30), time(9, 30)),
    (time(12, 0), time(13, 30)),
    (time(16, 30), time(18, 0)),
    (time(19, 30), time(21, 30)),
]
DECLINE_WEIGHTS = {
    DeclineReason.NO_CAPACITY: 40,
    DeclineReason.CANNOT_MEET_TIMES: 20,
    DeclineReason.START_DATE: 12,
    DeclineReason.TRAVEL: 12,
    DeclineReason.NO_DOUBLE_HANDED: 6,
    DeclineReason.SKILLS: 5,
    DeclineReason.OTHER: 5,
}


@dataclass(frozen=True)
class Behaviour:
    answers: float  # chance of answering an offer before its deadline
    accepts: float  # chance an answer is a yes
    median_hours: float  # typical time to answer


@dataclass(order=True)
class Event:
    at: datetime
    order: int
    action: Callable[[], None] = field(compare=False)


class Simulation:
    def __init__(self, *, agreement: Agreement, now: datetime, stdout: OutputWrapper) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - fictional data, reproducible from the seed
        self.agreement = agreement
        self.now = now
        self.stdout = stdout
        self.queue: list[Event] = []
        self.counter = itertools.count()
        self.answered: set[int] = set()
        self.staff: dict[int, User] = {}
        self.behaviour: dict[int, Behaviour] = {}
        self.officer = User.objects.filter(groups__name=Audience.OFFICER.group_name).order_by("pk").first()
        self.ccc = User.objects.filter(groups__name=Audience.CCC.group_name).order_by("pk").first()
        self.refused_isas = 0

    # Set-up ----------------------------------------------------------------------------------------------

    def prepare_providers(self) -> int:
        """Capacity, capabilities, a member of staff and a behaviour for each demo DPS member."""
        members = (
            ProviderMembership.objects.filter(agreement=self.agreement, status=MembershipStatus.APPOINTED)
            .select_related("provider")
            .order_by("provider_id")
        )
        areas = list(LocalityArea.objects.order_by("display_order", "name"))
        home_area = dict(
            CqcLocation.objects.filter(provider__in=[m.provider_id for m in members], locality_area__isnull=False)
            .order_by("provider_id", "location_id")
            .values_list("provider_id", "locality_area_id")
        )
        group = Group.objects.get_or_create(name=Audience.PROVIDER.group_name)[0]
        prepared = 0
        for membership in members:
            provider = membership.provider
            if provider.pk not in home_area:
                continue
            rng = random.Random(SEED + provider.pk)  # noqa: S311 - fictional behaviour, reproducible
            served = [home_area[provider.pk]] + [a.pk for a in rng.sample(areas, k=min(len(areas), rng.randint(1, 2)))]
            for area_id in dict.fromkeys(served):
                ProviderCapacity.objects.get_or_create(
                    provider=provider,
                    locality_area_id=area_id,
                    defaults={
                        "hours_available_per_week": Decimal(rng.choice([60, 90, 120, 180, 250])),
                        "updated_at": self.now - timedelta(days=DAYS),
                    },
                )
            ProviderCapabilities.objects.get_or_create(
                provider=provider,
                defaults={
                    "double_handed": rng.random() < 0.6,
                    "lead_time_days": rng.choice([1, 1, 2, 2, 3, 5]),
                    "skills": sorted(rng.sample(Skill.values, k=rng.randint(3, 7))),
                    "languages": rng.sample(["Urdu", "Punjabi", "Polish", "Bengali"], k=rng.randint(0, 1)),
                    "carer_genders": ["female", "male"] if rng.random() < 0.8 else ["female"],
                    "updated_at": self.now - timedelta(days=DAYS),
                },
            )
            staff = ProviderStaff.objects.filter(provider=provider).select_related("user").first()
            if staff is None:
                user = User.objects.create(
                    username=f"demo-staff-{provider.pk}", first_name="Demo", last_name=f"staff of {provider.name}"[:150]
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(group)
                staff = ProviderStaff.objects.create(user=user, provider=provider)
            self.staff[provider.pk] = staff.user
            quiet = rng.random() < 0.05
            self.behaviour[provider.pk] = Behaviour(
                answers=0.05 if quiet else rng.uniform(0.3, 0.8),
                accepts=rng.uniform(0.15, 0.55),
                median_hours=rng.choice([0.5, 1, 2, 3, 5, 8]),
            )
            prepared += 1
        return prepared

    def postcodes(self) -> list[str]:
        """Real Leeds postcodes that fall inside the council's locality areas."""
        sample = list(
            Postcode.objects.filter(outward__startswith="LS").order_by("?").values_list("postcode", flat=True)[:400]
        )
        inside = [postcode for postcode in sample if locality_area_for(postcode) is not None]
        if not inside:
            raise RuntimeError("No Leeds postcodes inside a locality area: load the demo providers step first.")
        return inside

    # The event loop ----------------------------------------------------------------------------------------

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        if when <= self.now:
            heapq.heappush(self.queue, Event(when, next(self.counter), action))

    def run(self) -> None:
        while self.queue:
            event = heapq.heappop(self.queue)
            with time_machine.travel(event.at, tick=False):
                event.action()

    # Referrals -----------------------------------------------------------------------------------------------

    def schedule_referrals(self, postcodes: list[str]) -> int:
        start = timezone.localdate(self.now) - timedelta(days=DAYS)
        count = 0
        for offset in range(DAYS + 1):
            day = start + timedelta(days=offset)
            per_day = self.rng.choice([1, 2, 2, 3]) if day.weekday() < 5 else self.rng.choice([0, 0, 1])
            for _ in range(per_day):
                moment = timezone.make_aware(datetime.combine(day, time(8, 30))) + timedelta(
                    minutes=self.rng.randint(0, 9 * 60)
                )
                isa = self.referral(postcodes, moment, count)
                self.at(moment, functools.partial(self.receive, isa))
                count += 1
        return count

    def referral(self, postcodes: list[str], moment: datetime, n: int) -> IsaData:
        rng = self.rng
        urgency = rng.choices(list(Urgency), weights=[35, 20, 45])[0]
        calls = rng.choice([1, 2, 2, 3, 4, 4])
        double = rng.random() < 0.15
        minutes = rng.choice([30, 30, 45, 60])
        windows = WINDOWS[:calls] if calls < 4 else WINDOWS
        visits = tuple(
            VisitData(
                day_of_week=day,
                window_start=start,
                window_end=end,
                duration_minutes=minutes,
                carers=2 if double and index == 0 else 1,
            )
            for day in range(7)
            for index, (start, end) in enumerate(windows)
        )
        skills = tuple(
            sorted(
                rng.sample(
                    [Skill.DEMENTIA, Skill.MEDICATION, Skill.HOIST, Skill.END_OF_LIFE], k=rng.choice([0, 0, 1, 1, 2])
                )
            )
        )
        lead = {Urgency.HOSPITAL_DISCHARGE: 1, Urgency.URGENT: 2, Urgency.ROUTINE: 7}[urgency]
        return IsaData(
            agreement_reference=self.agreement.reference,
            person=PersonData(
                given_name=rng.choice(GIVEN),
                family_name=f"{rng.choice(FAMILY)} (demo)",
                address_line_1=f"{rng.randint(1, 120)} Demo Street",
                town="Leeds",
                postcode=rng.choice(postcodes),
                mosaic_person_id=f"DEMO-{n + 1:05d}",
            ),
            visits=visits,
            requested_start_on=timezone.localdate(moment) + timedelta(days=lead),
            urgency=urgency,
            required_skills=skills,
            special_requirements="Fictional demo referral.",
            source_system=SOURCE,
            external_reference=f"DEMO-REF-{n + 1:05d}",
        )

    def receive(self, isa: IsaData) -> None:
        try:
            package, _ = package_receive(isa=isa, received_by=self.officer)
        except IsaInvalid:
            # A generated referral the council's rules refuse (e.g. no lot for the area): the same as a
            # case-management system getting a 400. It is left out of the history.
            self.refused_isas += 1
            return
        self.broker(package.pk)

    # The policy's clock and the providers' answers -------------------------------------------------------------

    def broker(self, package_id: int) -> None:
        package_broker(package_id=package_id)
        self.follow(package_id)

    def follow(self, package_id: int) -> None:
        """After any change: plan providers' answers to new offers, the policy's next moment, what comes next."""
        package = CarePackage.objects.get(pk=package_id)
        now = timezone.now()
        if package.status == CarePackage.Status.BROKERING:
            pending = package.offers.filter(round_number=package.round_number, status=Offer.Status.PENDING)
            for offer in pending.select_related("package__locality_area"):
                if offer.pk in self.answered:
                    continue
                self.answered.add(offer.pk)
                self.plan_answer(offer)
            if package.next_action_at is not None:
                self.at(max(package.next_action_at, now) + timedelta(seconds=1), lambda: self.broker(package_id))
        elif package.status == CarePackage.Status.UNPLACED:
            self.plan_unplaced(package)
        elif package.status == CarePackage.Status.AWARDED and package.awarded_at == now:
            self.plan_placed(package)

    def plan_answer(self, offer: Offer) -> None:
        behaviour = self.behaviour.get(offer.provider_id)
        if behaviour is None or self.rng.random() > behaviour.answers:
            return  # no answer: the offer expires at its deadline
        delay = timedelta(hours=self.rng.lognormvariate(0, 0.8) * behaviour.median_hours)
        when = offer.sent_at + delay
        if offer.respond_by is not None and when >= offer.respond_by:
            return
        package = offer.package
        chance = behaviour.accepts
        if package.locality_area is not None and package.locality_area.name in THIN_AREAS:
            chance *= 0.3
        if package.visits.filter(carers__gt=1).exists():
            chance *= 0.5
        accepts = self.rng.random() < chance
        self.at(when, lambda: self.answer(offer.pk, accepts))

    def answer(self, offer_id: int, accepts: bool) -> None:
        offer = Offer.objects.select_related("package").get(pk=offer_id)
        user = self.staff[offer.provider_id]
        try:
            if accepts:
                capabilities = ProviderCapabilities.objects.filter(provider_id=offer.provider_id).first()
                lead = capabilities.lead_time_days if capabilities else 2
                start = max(timezone.localdate() + timedelta(days=lead), offer.package.requested_start_on)
                offer_accept(offer_id=offer_id, provider_user=user, start_on=start)
            else:
                reason = self.rng.choices(list(DECLINE_WEIGHTS), weights=list(DECLINE_WEIGHTS.values()))[0]
                note = "Demo: our coordinator is on leave this week." if reason == DeclineReason.OTHER else ""
                offer_decline(offer_id=offer_id, provider_user=user, reason=reason, note=note)
        except OfferClosed:
            return  # awarded to someone else first, or withdrawn: the provider sees that and moves on
        self.follow(offer.package_id)

    # After brokering -------------------------------------------------------------------------------------------

    def plan_unplaced(self, package: CarePackage) -> None:
        """The CCC widens the search (re-brokers), an officer phones round and awards, or it waits."""
        roll = self.rng.random()
        later = timezone.now() + timedelta(hours=self.rng.uniform(3, 30))
        if roll < 0.4 and package.round_number < 3:
            self.at(later, lambda: self.rebroker(package.pk))
        elif roll < 0.65:
            self.at(later, lambda: self.award_by_hand(package.pk))

    def rebroker(self, package_id: int) -> None:
        try:
            package_rebroker(
                package_id=package_id, requested_by=self.ccc, reason="Demo: capacity has changed since the last round"
            )
        except PackageStateError:
            return
        self.broker(package_id)

    def award_by_hand(self, package_id: int) -> None:
        package = CarePackage.objects.get(pk=package_id)
        if package.status not in CarePackage.OPEN_STATUSES or self.officer is None:
            return
        serving = list(
            ProviderCapacity.objects.filter(
                locality_area_id=package.locality_area_id, provider_id__in=self.staff
            ).values_list("provider_id", flat=True)
        )
        if not serving:
            return
        provider_id = self.rng.choice(serving)
        package_award_manually(
            package_id=package_id,
            provider_id=provider_id,
            awarded_by=self.officer,
            reason="Demo: agreed by phone after the electronic rounds found no provider",
            start_on=timezone.localdate() + timedelta(days=2),
        )
        self.plan_placed(CarePackage.objects.get(pk=package_id))

    def plan_placed(self, package: CarePackage) -> None:
        offer = package.offers.filter(round_number=package.round_number, status=Offer.Status.AWARDED).first()
        if offer is None or offer.proposed_start_on is None:
            return
        start_on = max(offer.proposed_start_on, timezone.localdate())
        start = timezone.make_aware(datetime.combine(start_on, time(9, 0)))
        self.at(start, lambda: self.start_care(package.pk, start_on))
        roll = self.rng.random()
        if roll < 0.05:
            self.at(start + timedelta(days=self.rng.randint(5, 25)), lambda: self.hand_back(offer.pk))
        elif roll < 0.25:
            self.at(start + timedelta(days=self.rng.randint(14, 60)), lambda: self.end_care(package.pk))

    def start_care(self, package_id: int, started_on: date) -> None:
        try:
            package_record_care_started(package_id=package_id, started_on=started_on, recorded_by=self.officer)
        except PackageStateError:
            return

    def hand_back(self, offer_id: int) -> None:
        offer = Offer.objects.get(pk=offer_id)
        try:
            package_hand_back(
                offer_id=offer_id,
                provider_user=self.staff[offer.provider_id],
                effective_on=timezone.localdate() + timedelta(days=14),
                reason=self.rng.choice([HandBack.Reason.STAFFING, HandBack.Reason.NEEDS_CHANGED]),
                note="Demo hand-back",
            )
        except PackageStateError:
            return
        self.broker(offer.package_id)

    def end_care(self, package_id: int) -> None:
        try:
            package_end(
                package_id=package_id,
                ended_on=timezone.localdate(),
                ended_by=self.officer,
                reason="Demo: the person no longer needs home care",
            )
        except PackageStateError:
            return


def load_demo_brokerage_history(*, stdout: OutputWrapper) -> None:
    existing = CarePackage.objects.filter(source_system=SOURCE).count()
    if existing:
        stdout.write(f"Brokerage history: {existing} demo packages already loaded (left as they are).")
        return
    agreement = Agreement.objects.filter(reference=AGREEMENT_REFERENCE).first()
    if agreement is None:
        raise RuntimeError(f"The demo agreement {AGREEMENT_REFERENCE} is missing: run the contracts demo step first.")
    simulation = Simulation(agreement=agreement, now=timezone.now(), stdout=stdout)
    providers = simulation.prepare_providers()
    referrals = simulation.schedule_referrals(simulation.postcodes())
    simulation.run()
    statuses = dict(CarePackage.objects.filter(source_system=SOURCE).values_list("status").annotate(n=Count("id")))
    offers = Offer.objects.filter(package__source_system=SOURCE).count()
    alerts = alerts_raise()
    stdout.write(
        f"Brokerage history: {referrals} fictional referrals over {DAYS} days played through the allocation "
        f"engine and services with {providers} demo providers ({simulation.refused_isas} refused as invalid); "
        f"{offers} offers; packages by status: "
        + ", ".join(f"{status} {n}" for status, n in sorted(statuses.items()))
        + f"; {len(alerts)} CCC alerts raised."
    )
