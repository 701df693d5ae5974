"""Demo step for commissioning: a scored and awarded tender, the Neighbourhood Networks timetable, a dynamic
market with requests to join, a funding model over the locality areas, and the CHWS pilot beside time and task.

Everything goes through the real services. Names start "Demo:"; every figure here is made up for the demo,
except that the Neighbourhood Networks timetable's shape and date wordings follow the original (see
``commissioning.timetable_templates``). Runs after the providers, agreements and brokerage steps; it is
idempotent: what exists already is left as it is.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.management.base import OutputWrapper
from django.utils import timezone

from commissioning.exclusions import EXCLUSION_GROUNDS
from commissioning.models import (
    CareModel,
    DynamicMarket,
    FundingModel,
    NoticeKind,
    Referral,
    Tender,
    TenderStatus,
    Timetable,
    TimetableTask,
)
from commissioning.services import funding, markets, neighbourhood, tenders, timetables
from contracts.models import Agreement, Lot, ProcurementRoute
from homecare.accounts.audiences import Audience
from providers.models import CqcLocation, CqcRating, LocalityArea, Provider, ProviderStaff, RegistrationStatus
from providers.quality import Rating

SEED = 15
TENDER_REFERENCE = "DEMO-LCC-DP-2025"
MARKET_REFERENCE = "DEMO-DM-2025"
CHWS_REFERENCE = "DEMO-CHWS-2025"
FUNDING_NAME = "Demo: Neighbourhood Networks funding 2025/26"
# Bidder -> (price, moderated Q1..Q4, social value): the hand-scored tender of tests/commissioning/test_scoring.py.
BIDDERS = {
    "Demo: Bidder Aire Partnership": (Decimal(920_000), (4, 3, 5, 4), 3),
    "Demo: Bidder Briggate Care": (Decimal(1_000_000), (5, 4, 3, 3), 4),
    "Demo: Bidder Chapel Allerton Trust": (Decimal(850_000), (3, 3, 4, 5), 5),
}


def _user(username: str, full_name: str, audience: Audience) -> User:
    first, _, last = full_name.partition(" ")
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"}
    )
    if created:
        user.set_unusable_password()  # a stand-in panel member or applicant; nobody signs in as it
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=audience.group_name)[0])
    return user


def _agreement(reference: str, name: str, route: str) -> Agreement:
    agreement, _ = Agreement.objects.get_or_create(
        reference=reference,
        defaults={
            "name": name,
            "procurement_route": route,
            "council_name": "Leeds City Council (demo)",
            "term_start": date(2025, 4, 1),
            "term_end": date(2028, 3, 31),
        },
    )
    return agreement


def _tender(officer: User) -> str:
    if Tender.objects.filter(reference=TENDER_REFERENCE).exists():
        return "Tender: already loaded."
    agreement = _agreement(
        "DEMO-DP-AGREEMENT", "Demo: Delivery partner agreement", ProcurementRoute.COMPETITIVE_TENDER_LOTS
    )
    lot, _ = Lot.objects.get_or_create(agreement=agreement, number=1, defaults={"name": "Citywide"})
    partner = _user("demo-nhs-evaluator", "Nadia Health (demo)", Audience.OFFICER)
    tender = tenders.tender_create(
        actor=officer,
        agreement=agreement,
        reference=TENDER_REFERENCE,
        title="Demo: Delivery partner tender",
        questions=[
            tenders.QuestionInput("Service delivery model", Decimal(15)),
            tenders.QuestionInput("Workforce, pay and retention", Decimal(15)),
            tenders.QuestionInput("Outcomes and quality assurance", Decimal(10)),
            tenders.QuestionInput("Partnership working", Decimal(20)),
        ],
        social_value_question="Social value commitments",
        lots=[tenders.LotInput("Citywide", lot, 1, 1)],
        divergence_threshold=1,
        panel=[(officer, "Leeds City Council"), (partner, "NHS Leeds (demo)")],
    )
    tender_lot = tender.lots.get()
    bids = {}
    for name, (price, _, _) in BIDDERS.items():
        provider, _ = Provider.objects.update_or_create(name=name, defaults={"is_demo": True})
        bids[name] = tenders.bid_record(actor=officer, lot=tender_lot, provider=provider, price=price)
    tenders.tender_open_scoring(actor=officer, tender=tender)
    questions = list(tender.questions.order_by("number"))
    for user in (officer, partner):
        tenders.conflict_of_interest_declare(evaluator_user=user, tender=tender, declaration="No conflict of interest.")
    for name, (_, scores, social) in BIDDERS.items():
        for question, score in zip(questions, (*scores, social), strict=True):
            tenders.independent_score_record(evaluator_user=officer, bid=bids[name], question=question, score=score)
            # The partner's evaluator scored Briggate's delivery model two lower: a divergence to moderate.
            theirs = score - 2 if (name, question.number) == ("Demo: Bidder Briggate Care", 1) else score
            tenders.independent_score_record(evaluator_user=partner, bid=bids[name], question=question, score=theirs)
    tenders.tender_start_moderation(actor=officer, tender=tender)
    for name, (_, scores, social) in BIDDERS.items():
        for question, score in zip(questions, (*scores, social), strict=True):
            rationale = ""
            if (name, question.number) == ("Demo: Bidder Briggate Care", 1):
                rationale = "The partner's evaluator had not seen appendix B (the delivery model); agreed 5 on it."
            tenders.moderated_score_agree(
                actor=officer, bid=bids[name], question=question, score=score, rationale=rationale
            )
    tenders.tender_finish_moderation(actor=officer, tender=tender)
    day = timezone.localdate() - timedelta(days=21)
    tenders.tender_recommend(actor=officer, tender=tender, on=day)
    tenders.tender_award(actor=officer, tender=tender)
    tender.refresh_from_db()
    assert tender.status == TenderStatus.AWARDED  # noqa: S101 - the demo stops loudly if the flow changes
    return (
        "Tender: the hand-scored delivery partner tender, moderated, ranked and awarded (lead and additional provider)."
    )


def _timetable(officer: User) -> str:
    if Timetable.objects.filter(template_code="neighbourhood_networks_v10").exists():
        return "Timetable: already loaded."
    timetable = timetables.timetable_from_template(
        actor=officer, template_code="neighbourhood_networks_v10", name="Demo: Neighbourhood Networks review"
    )
    task = TimetableTask.objects.get(timetable=timetable, number=14)
    moved = timetables.task_reschedule(
        actor=officer, task=task, wording="Mid January 2009", reason="Executive Board meeting deferred (demo)"
    )
    timetables.timetable_from_template(
        actor=officer,
        template_code="open_tender",
        name="Demo: Open tender timetable",
        start_on=timezone.localdate() - timedelta(days=30),
    )
    late = sum(1 for m in moved if m.slippage_days)
    return (
        f"Timetables: Neighbourhood Networks v10 (reconstructed, 36 tasks; task 14 moved, {late} tasks slip) "
        "and an open tender."
    )


def _market_applicant(
    name: str, username: str, location_id: str, point: tuple[float, float], postcode: str
) -> tuple[User, CqcLocation]:
    provider, _ = Provider.objects.update_or_create(name=name, defaults={"is_demo": True})
    location, _ = CqcLocation.objects.update_or_create(
        location_id=location_id,
        defaults={
            "provider": provider,
            "name": name.removeprefix("Demo: ") + " (demo branch)",
            "registration_status": RegistrationStatus.REGISTERED,
            "service_types": ["Homecare agencies"],
            "is_homecare_agency": True,
            "postcode": postcode,
            "latitude": point[0],
            "longitude": point[1],
        },
    )
    rating, _ = CqcRating.objects.update_or_create(
        location=location,
        fingerprint=f"demo-{location_id}",
        defaults={
            "overall": Rating.GOOD,
            "safe": Rating.GOOD,
            "effective": Rating.GOOD,
            "caring": Rating.GOOD,
            "responsive": Rating.GOOD,
            "well_led": Rating.GOOD,
            "source": "demo",
        },
    )
    CqcLocation.objects.filter(pk=location.pk).update(current_rating=rating)
    user = _user(username, "Demo applicant", Audience.PROVIDER)
    ProviderStaff.objects.update_or_create(user=user, defaults={"provider": provider})
    return user, location


def _market(officer: User) -> str:
    agreement = _agreement(MARKET_REFERENCE, "Demo: Homecare dynamic market", ProcurementRoute.DYNAMIC_MARKET)
    if DynamicMarket.objects.filter(agreement=agreement).exists():
        return "Dynamic market: already loaded."
    market = markets.dynamic_market_create(
        actor=officer,
        agreement=agreement,
        assessment_days=10,
        conditions_summary="The Leeds DPS entry criteria, plus the Procurement Act 2023 exclusion grounds.",
    )
    markets.market_notice_publish(
        actor=officer,
        market=market,
        kind=NoticeKind.DYNAMIC_MARKET,
        published_on=timezone.localdate() - timedelta(days=40),
        reference="DEMO-NOTICE-001",
    )
    markets.debarment_entry_record(
        actor=officer,
        supplier_name="Demo: Shady Homecare Ltd",
        companies_house_number="DEMO0001",
        ground="Fraud (Schedule 6, demo entry)",
        entered_on=date(2025, 3, 1),
        source="Demo entry, not the real list",
    )
    none_apply = {ground.key: {"applies": False} for ground in EXCLUSION_GROUNDS}
    declarations = {
        "declares_contract_compliance": True,
        "declares_staff_pay_passed_on": True,
        "declares_fee_rates_accepted": True,
    }
    user, location = _market_applicant(
        "Demo: Roundhay Home Support", "demo-roundhay", "DEMO-DM-0001", (53.8376, -1.4985), "LS8 2HH"
    )
    admitted = markets.market_application_submit(
        provider_user=user,
        market=market,
        location_ids=[location.pk],
        declarations=declarations,
        exclusion_answers=none_apply,
    )
    if admitted.automatic_result_passed:
        markets.market_application_decide(
            officer=officer,
            application=admitted,
            outcome="admit",
            reasons="Meets every condition of membership; no exclusion ground applies.",
        )
    user, location = _market_applicant(
        "Demo: Shady Homecare Ltd", "demo-shady", "DEMO-DM-0002", (53.7950, -1.5400), "LS1 5AA"
    )
    Provider.objects.filter(pk=location.provider_id).update(companies_house_number="DEMO0001")
    markets.market_application_submit(
        provider_user=user,
        market=market,
        location_ids=[location.pk],
        declarations=declarations,
        exclusion_answers=none_apply,
    )
    return "Dynamic market: notice recorded; one supplier admitted, one awaiting a decision (on the debarment list)."


def _areas() -> list[LocalityArea]:
    return list(LocalityArea.objects.order_by("display_order", "name"))


def _funding(officer: User, areas: list[LocalityArea]) -> str:
    if FundingModel.objects.filter(name=FUNDING_NAME).exists() or len(areas) < 2:
        return "Funding formula: already loaded." if areas else "Funding formula: no locality areas, skipped."
    rng = random.Random(SEED)  # noqa: S311 - demo figures
    codes = [area.code for area in areas]
    model = funding.funding_model_create(
        actor=officer,
        name=FUNDING_NAME,
        budget=Decimal("3250000.00"),
        budget_year="2025/26",
        floor_percent=Decimal(100),
        indicators=[
            funding.IndicatorInput(
                "over_65",
                "Population aged 65 and over",
                Decimal(50),
                "Demo figures (in real use: ONS mid-year estimates)",
                {c: Decimal(rng.randint(6000, 22000)) for c in codes},
            ),
            funding.IndicatorInput(
                "deprivation",
                "Deprivation (mean IMD score)",
                Decimal(30),
                "Demo figures (in real use: English Indices of Deprivation)",
                {c: Decimal(rng.randint(80, 450)) / 10 for c in codes},
            ),
            funding.IndicatorInput(
                "demand",
                "Current demand (hours a week)",
                Decimal(20),
                "Demo figures (in real use: brokerage)",
                {c: Decimal(rng.randint(1500, 7000)) for c in codes},
            ),
        ],
        current_funding={c: Decimal(rng.randint(200, 340)) * 1000 for c in codes},
    )
    rows = funding.funding_model_calculate(actor=officer, model=model)
    held = sum(row.held_at_floor for row in rows)
    return f"Funding formula: £3,250,000.00 over {len(rows)} locality areas ({held} held at the floor)."


def _chws(officer: User, areas: list[LocalityArea]) -> str:
    if len(areas) < 2:
        return "Neighbourhood model: no locality areas, skipped."
    agreement = _agreement(
        CHWS_REFERENCE, "Demo: Community Health and Wellbeing Service", ProcurementRoute.DIRECT_AWARD
    )
    chws = neighbourhood.neighbourhood_agreement_create(
        actor=officer, agreement=agreement, pilot_started_on=date(2025, 1, 6)
    )
    if chws.hours_banks.exists():
        return "Neighbourhood model: already loaded."
    pilot_area, tnt_area = areas[0], areas[1]
    bank = neighbourhood.hours_bank_create(
        actor=officer,
        neighbourhood=chws,
        area=pilot_area,
        team_name=f"Demo: {pilot_area.name} neighbourhood team",
        weekly_hours=Decimal(420),
        starts_on=date(2025, 1, 6),
        is_pilot=True,
    )
    rng = random.Random(SEED + 1)  # noqa: S311 - demo figures
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    for weeks_ago in range(12, 0, -1):
        neighbourhood.hours_bank_use_record(
            actor=officer,
            bank=bank,
            week_starting=monday - timedelta(weeks=weeks_ago),
            hours_used=Decimal(rng.randint(330, 415)),
        )
    outcomes = [
        "Get out to the shops or a lunch club each week",
        "Manage own medicines safely",
        "Wash and dress with less help",
        "Carer has a regular break",
    ]
    for n in range(14):
        referred = today - timedelta(days=rng.randint(20, 80))
        referral = neighbourhood.referral_receive(
            actor=officer,
            bank=bank,
            person_reference=f"DEMO-P{n + 1:04d}",
            referred_on=referred,
            outcomes=rng.sample(outcomes, 2),
            referred_by="Demo: social work team",
        )
        started = referred + timedelta(days=rng.randint(1, 6))
        neighbourhood.referral_start(actor=officer, referral=referral, started_on=started)
        for outcome in referral.outcomes.all():
            neighbourhood.team_record_add(
                actor=officer,
                referral=referral,
                recorded_on=started + timedelta(days=3),
                hours=Decimal(rng.randint(2, 6)),
                how_met="Demo: worked on this with the person.",
                outcome=outcome,
            )
            progress = rng.choice(["some", "good", "achieved", "achieved"])
            neighbourhood.outcome_review(
                actor=officer, outcome=outcome, reviewed_on=started + timedelta(days=14), progress=progress
            )
    for area, model, pay, turnover, survey in (
        (pilot_area, CareModel.NEIGHBOURHOOD, "13.15", "17.5", "8.1"),
        (tnt_area, CareModel.TIME_AND_TASK, "12.25", "32.0", "6.4"),
    ):
        neighbourhood.workforce_measure_record(
            actor=officer,
            area=area,
            care_model=model,
            period_start=today - timedelta(days=90),
            period_end=today,
            median_hourly_pay=Decimal(pay),
            real_living_wage=Decimal("12.60"),
            staff_turnover_percent=Decimal(turnover),
            carers_survey_score=Decimal(survey),
            carers_survey_responses=rng.randint(25, 60),
            source="Demo figures (in real use: providers' workforce returns and the carers' survey)",
        )
    first = Referral.objects.filter(bank=bank).order_by("pk").first()
    if first is not None:
        neighbourhood.care_model_move(
            actor=officer,
            person_reference="DEMO-P9001",
            to_model=CareModel.NEIGHBOURHOOD,
            moved_on=today - timedelta(days=10),
            reason="Lives in the pilot area (demo)",
            bank=bank,
            outcomes=["Stay safely at home after a fall"],
        )
    return f"Neighbourhood model: pilot hours bank in {pilot_area.name} beside time and task in {tnt_area.name}."


def load_demo_commissioning(*, stdout: OutputWrapper) -> None:
    officer = _user("officer", "Olivia Officer", Audience.OFFICER)
    areas = _areas()
    for line in (
        _tender(officer),
        _timetable(officer),
        _market(officer),
        _funding(officer, areas),
        _chws(officer, areas),
    ):
        stdout.write(line)
