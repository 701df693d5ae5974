"""One of each commissioning object, for tests that visit every page (the URL kwargs' values)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from commissioning.models import CareModel, DynamicMarket, MarketApplication, ReferralOutcome
from commissioning.services import funding, neighbourhood, tenders, timetables
from contracts.models import Agreement
from providers.models import LocalityArea, Provider


def commissioning_values(officer: User, agreement: Agreement, provider: Provider, area: LocalityArea) -> dict[str, Any]:
    tender = tenders.tender_create(
        actor=officer,
        agreement=agreement,
        reference="CSP-T1",
        title="Page test tender",
        questions=[tenders.QuestionInput("Delivery", Decimal(1))],
        social_value_question="Social value",
        lots=[tenders.LotInput("Citywide")],
        panel=[(officer, "Council")],
    )
    timetable = timetables.timetable_from_template(actor=officer, template_code="neighbourhood_networks_v10")
    market = DynamicMarket.objects.create(agreement=agreement)
    request = MarketApplication.objects.create(
        market=market, provider=provider, submitted_by=officer, submitted_at=timezone.now(), assess_by=date(2030, 1, 1)
    )
    model = funding.funding_model_create(
        actor=officer,
        name="Page test",
        budget=Decimal(1000),
        budget_year="",
        floor_percent=Decimal(0),
        indicators=[funding.IndicatorInput("x", "X", Decimal(1), "test", {area.code: Decimal(1)})],
        current_funding={area.code: Decimal(100)},
    )
    chws = neighbourhood.neighbourhood_agreement_create(actor=officer, agreement=agreement)
    bank = neighbourhood.hours_bank_create(
        actor=officer,
        neighbourhood=chws,
        area=area,
        team_name="Team",
        weekly_hours=Decimal(10),
        starts_on=date(2025, 1, 6),
    )
    neighbourhood.care_model_move(
        actor=officer,
        person_reference="P-1",
        to_model=CareModel.NEIGHBOURHOOD,
        moved_on=date(2025, 2, 1),
        reason="Pilot",
        bank=bank,
        outcomes=["Stay at home"],
    )
    return {
        "tender_id": tender.pk,
        "step": "open_scoring",
        "timetable_id": timetable.pk,
        "task_id": timetable.tasks.get(number=1).pk,
        "market_id": market.pk,
        "market_request_id": request.pk,
        "model_id": model.pk,
        "bank_id": bank.pk,
        "person_reference": "P-1",
        "outcome_id": ReferralOutcome.objects.filter(referral__bank=bank).values_list("pk", flat=True)[0],
    }
