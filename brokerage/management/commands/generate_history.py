"""Generate a large, clearly fictional brokerage history, to measure the dashboard against (not for the demo).

    manage.py generate_history --packages 100000 [--days 365] [--seed 7] [--offers-per-package 4] [--clear]

Writes with ``bulk_create`` straight into the tables (packages, offers, hand-backs), in one transaction
with the dashboard's rollup triggers off and the rollups rebuilt at the end, which is how it makes
100,000 packages in about a minute; the demo's own history is made by the real allocation engine and services
instead (``load_demo``). Every generated package has ``source_system="generated-history"`` and an
``external_reference`` beginning ``HIST-``, so ``--clear`` removes exactly them. Uses the demo's agreement,
areas and providers when they exist, and otherwise creates a small set marked as demo data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from brokerage.dashboard import rollups
from brokerage.models import CarePackage, DeclineReason, HandBack, Offer
from contracts.models import Agreement, AllocationPolicy, ProcurementRoute, Urgency
from providers.models import LocalityArea, Provider

SOURCE = "generated-history"
BATCH = 2000
DEADLINE_HOURS = {Urgency.HOSPITAL_DISCHARGE: 48, Urgency.URGENT: 72, Urgency.ROUTINE: 168}
DISTRICTS = ["LS1", "LS2", "LS6", "LS7", "LS8", "LS9", "LS10", "LS11", "LS12", "LS13", "LS14", "LS15", "LS17"]


class Command(BaseCommand):
    help = "Generate a large fictional brokerage history (bulk inserts) for dashboard benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--packages", type=int, default=100_000)
        parser.add_argument("--days", type=int, default=365, help="Spread submissions over this many days.")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--clear", action="store_true", help="Delete earlier generated history first.")
        parser.add_argument(
            "--offers-per-package",
            type=int,
            default=4,
            help="Providers offered each package, on average (from this less 2 to this plus 2).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["packages"] < 0 or options["days"] < 1 or options["offers_per_package"] < 1:
            raise ValueError("--packages cannot be negative, and --days and --offers-per-package must be at least 1.")
        self.offers_per_package = options["offers_per_package"]
        if options["clear"]:
            self._clear()
        agreement, areas, providers = self._world()
        rng = random.Random(options["seed"])  # noqa: S311 - fictional data, reproducible from the seed
        now = timezone.now()
        made = 0
        # References continue after any earlier run's, so generating more never collides.
        first = CarePackage.objects.filter(source_system=SOURCE).count()
        # One transaction: the dashboard's rollups are rebuilt once at the end rather than counted row by row.
        with (
            rollups.bulk_load(),
            tqdm(total=options["packages"], unit="package", disable=options["verbosity"] == 0) as bar,
        ):
            while made < options["packages"]:
                size = min(BATCH, options["packages"] - made)
                self._batch(
                    rng,
                    size,
                    first + made,
                    now=now,
                    days=options["days"],
                    agreement=agreement,
                    areas=areas,
                    providers=providers,
                )
                made += size
                bar.update(size)
        self.stdout.write(f"Generated {made} fictional packages ({SOURCE}) over {options['days']} days.")

    def _clear(self) -> None:
        generated = CarePackage.objects.filter(source_system=SOURCE)
        with transaction.atomic():
            HandBack.objects.filter(package__in=generated).delete()
            Offer.objects.filter(package__in=generated).delete()
            deleted, _ = generated.delete()
        self.stdout.write(f"Removed {deleted} rows of earlier generated history.")

    def _world(self) -> tuple[Agreement, list[LocalityArea], list[Provider]]:
        areas = list(LocalityArea.objects.order_by("display_order"))
        providers = list(Provider.objects.filter(is_demo=True).order_by("pk"))
        agreement = Agreement.objects.filter(name__startswith="Demo:").order_by("pk").first()
        if not areas:
            areas = [
                LocalityArea.objects.create(name=f"Demo area {n}", code=f"demo-area-{n}", display_order=n)
                for n in range(1, 11)
            ]
        if len(providers) < 10:
            providers += [
                Provider.objects.create(name=f"Demo: Generated Home Care {n}", is_demo=True)
                for n in range(len(providers), 100)
            ]
        if agreement is None:
            agreement = Agreement.objects.create(
                name="Demo: Generated history agreement",
                reference="DEMO-HISTORY",
                procurement_route=ProcurementRoute.LIGHT_TOUCH_DPS,
                council_name="Demo council",
                term_start=date(2024, 4, 1),
                term_end=date(2028, 3, 31),
                allocation_policy=AllocationPolicy.RANKED_DPS,
            )
        return agreement, areas, providers

    def _batch(
        self,
        rng: random.Random,
        size: int,
        offset: int,
        *,
        now: datetime,
        days: int,
        agreement: Agreement,
        areas: list[LocalityArea],
        providers: list[Provider],
    ) -> None:
        # Some providers win more often than others, as in a real market (a skewed spread of awards).
        weights = {provider.pk: 1 / (1 + i) ** 0.7 for i, provider in enumerate(providers)}
        packages: list[CarePackage] = []
        plans: list[list[tuple[Provider, str, float | None, str]]] = []
        for i in range(size):
            urgency = rng.choices(list(DEADLINE_HOURS), weights=[3, 2, 5])[0]
            submitted = now - timedelta(seconds=rng.uniform(0, days * 86400))
            age_hours = (now - submitted).total_seconds() / 3600
            chosen = rng.sample(
                providers,
                k=min(len(providers), rng.randint(max(1, self.offers_per_package - 2), self.offers_per_package + 2)),
            )
            plan: list[tuple[Provider, str, float | None, str]] = []
            for provider in chosen:
                roll = rng.random()
                after = rng.lognormvariate(1.5, 0.9)  # hours to answer, median about 4.5
                if roll < 0.35:
                    plan.append((provider, Offer.Status.ACCEPTED, after, ""))
                elif roll < 0.8:
                    plan.append((provider, Offer.Status.DECLINED, after, rng.choice(DeclineReason.values)))
                else:
                    plan.append((provider, Offer.Status.EXPIRED, None, ""))
            accepted = [p for p in plan if p[1] == Offer.Status.ACCEPTED]
            winner = None
            if accepted and age_hours > 24:
                winner = max(accepted, key=lambda p: weights[p[0].pk] * rng.random())
            if winner is not None:
                plan = [
                    (
                        p,
                        Offer.Status.AWARDED
                        if p is winner[0]
                        else (Offer.Status.NOT_SELECTED if s == Offer.Status.ACCEPTED else s),
                        a,
                        r,
                    )
                    for p, s, a, r in plan
                ]
                awarded_at = submitted + timedelta(hours=24 if winner[2] is None else max(winner[2], 2.0))
                start = timezone.localdate(awarded_at) + timedelta(days=rng.randint(1, 6))
                if start > timezone.localdate(now):
                    status, started = CarePackage.Status.AWARDED, None
                elif rng.random() < 0.25 and age_hours > 24 * 60:
                    status, started = CarePackage.Status.ENDED, start
                else:
                    status, started = CarePackage.Status.CARE_STARTED, start
            else:
                awarded_at, started = None, None
                if age_hours < 24:
                    status = CarePackage.Status.BROKERING
                    plan = [(p, Offer.Status.PENDING if s == Offer.Status.EXPIRED else s, a, r) for p, s, a, r in plan]
                elif age_hours < 24 * 14 and rng.random() < 0.5:
                    status = CarePackage.Status.UNPLACED
                else:
                    status = CarePackage.Status.CANCELLED
            answers = [a for _, s, a, _ in plan if a is not None and s != Offer.Status.PENDING]
            packages.append(
                CarePackage(
                    source_system=SOURCE,
                    external_reference=f"HIST-{offset + i:07d}",
                    agreement=agreement,
                    locality_area=rng.choice(areas),
                    postcode_district=rng.choice(DISTRICTS),
                    hours_per_week=Decimal(rng.choice([3.5, 5, 7, 10.5, 14, 17.5, 21, 28])),
                    requested_start_on=timezone.localdate(submitted) + timedelta(days=rng.randint(0, 3)),
                    urgency=urgency,
                    status=status,
                    round_number=1,
                    awarded_provider=winner[0] if winner else None,
                    created_at=submitted,
                    submitted_at=submitted,
                    first_response_at=submitted + timedelta(hours=min(answers)) if answers else None,
                    awarded_at=awarded_at,
                    care_started_on=started,
                    ended_on=started + timedelta(days=rng.randint(14, 60))
                    if status == CarePackage.Status.ENDED and started
                    else None,
                    escalated_at=submitted + timedelta(hours=24) if status == CarePackage.Status.UNPLACED else None,
                    deadline_at=submitted + timedelta(hours=DEADLINE_HOURS[urgency]),
                )
            )
            plans.append(plan)
        with transaction.atomic():
            CarePackage.objects.bulk_create(packages)
            offers = []
            for package, plan in zip(packages, plans, strict=True):
                assert package.submitted_at is not None  # noqa: S101 - set just above
                for rank, (provider, offer_status, answer_after, reason) in enumerate(plan, start=1):
                    answered = (
                        None
                        if answer_after is None or offer_status == Offer.Status.PENDING
                        else package.submitted_at + timedelta(hours=answer_after)
                    )
                    closed = (
                        package.awarded_at
                        if offer_status in (Offer.Status.AWARDED, Offer.Status.NOT_SELECTED)
                        else (
                            answered
                            if offer_status == Offer.Status.DECLINED
                            else (
                                package.submitted_at + timedelta(hours=24)
                                if offer_status == Offer.Status.EXPIRED
                                else None
                            )
                        )
                    )
                    offers.append(
                        Offer(
                            package=package,
                            provider=provider,
                            round_number=1,
                            rank=rank,
                            status=offer_status,
                            sent_at=package.submitted_at,
                            respond_by=package.submitted_at + timedelta(hours=24),
                            responded_at=answered,
                            decline_reason=reason,
                            closed_at=closed,
                        )
                    )
            Offer.objects.bulk_create(offers, batch_size=5000)
            hand_backs = [
                HandBack(
                    package_id=offer.package_id,
                    provider_id=offer.provider_id,
                    offer=offer,
                    round_number=1,
                    notice_given_at=offer.closed_at + timedelta(days=rng.randint(7, 40)),
                    effective_on=timezone.localdate(offer.closed_at) + timedelta(days=rng.randint(10, 50)),
                    reason=rng.choice(HandBack.Reason.values),
                )
                for offer in offers
                if offer.status == Offer.Status.AWARDED
                and offer.closed_at is not None
                and offer.closed_at < timezone.now() - timedelta(days=45)
                and rng.random() < 0.03
            ]
            HandBack.objects.bulk_create(hand_backs)
