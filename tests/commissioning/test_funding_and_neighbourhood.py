from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commissioning import selectors
from commissioning.models import CareModel, OutcomeStatus
from commissioning.services import funding, neighbourhood
from providers.models import LocalityArea
from tests.contracts.factories import AgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    return [
        LocalityArea.objects.create(name=name, code=name.lower().replace(" ", "-"), display_order=n)
        for n, name in enumerate(["Inner North", "Inner South", "Outer East", "Outer West"])
    ]


def test_the_funding_model_shares_sum_exactly_to_the_budget_with_every_floor_held(officer, areas):
    codes = [area.code for area in areas]
    model = funding.funding_model_create(
        actor=officer,
        name="Neighbourhood Networks 2009/10",
        budget=Decimal("2345678.91"),
        budget_year="2009/10",
        floor_percent=Decimal(100),
        indicators=[
            funding.IndicatorInput(
                "over_65",
                "Population aged 65 and over",
                Decimal(50),
                "ONS mid-year estimates",
                dict(zip(codes, [Decimal(14210), Decimal(9800), Decimal(21344), Decimal(3100)], strict=True)),
            ),
            funding.IndicatorInput(
                "imd",
                "Deprivation (IMD score)",
                Decimal(30),
                "MHCLG IMD",
                dict(zip(codes, [Decimal("41.2"), Decimal("38.7"), Decimal("12.1"), Decimal("9.5")], strict=True)),
            ),
            funding.IndicatorInput(
                "demand",
                "Current demand (hours a week)",
                Decimal(20),
                "Brokerage",
                dict(zip(codes, [Decimal(5400), Decimal(4100), Decimal(6000), Decimal(1500)], strict=True)),
            ),
        ],
        current_funding=dict(
            zip(codes, [Decimal(600000), Decimal(500000), Decimal(700000), Decimal(400000)], strict=True)
        ),
    )
    rows = funding.funding_model_calculate(actor=officer, model=model)
    assert sum(row.amount for row in rows) == Decimal("2345678.91")
    for row in rows:
        assert row.amount >= row.current, row.area
    assert any(row.held_at_floor for row in rows)  # Outer West's formula share is well below its £400,000
    sensitivity = selectors.funding_sensitivity(model=model)
    assert all(sum(s.changes.values()) == 0 for s in sensitivity)


def test_a_floor_the_budget_cannot_meet_is_refused(officer, areas):
    model = funding.funding_model_create(
        actor=officer,
        name="Too small",
        budget=Decimal(1000),
        budget_year="",
        floor_percent=Decimal(100),
        indicators=[
            funding.IndicatorInput("x", "X", Decimal(1), "test", {areas[0].code: Decimal(1), areas[1].code: Decimal(1)})
        ],
        current_funding={areas[0].code: Decimal(800), areas[1].code: Decimal(800)},
    )
    with pytest.raises(ValidationError, match="more than the budget"):
        funding.funding_model_calculate(actor=officer, model=model)


def test_the_pilot_area_shows_its_hours_bank_and_outcomes_beside_a_time_and_task_area(officer, areas):
    pilot, other = areas[0], areas[1]
    chws = neighbourhood.neighbourhood_agreement_create(actor=officer, agreement=AgreementFactory(name="CHWS"))
    bank = neighbourhood.hours_bank_create(
        actor=officer,
        neighbourhood=chws,
        area=pilot,
        team_name="Inner North neighbourhood team",
        weekly_hours=Decimal(400),
        starts_on=date(2025, 1, 6),
        is_pilot=True,
    )
    today = date(2025, 3, 31)
    for week in range(4):
        neighbourhood.hours_bank_use_record(
            actor=officer, bank=bank, week_starting=date(2025, 3, 3) + timedelta(weeks=week), hours_used=Decimal(350)
        )
    referral = neighbourhood.referral_receive(
        actor=officer,
        bank=bank,
        person_reference="P-1001",
        referred_on=date(2025, 3, 1),
        outcomes=["Get to the shops weekly", "Manage own medication"],
    )
    neighbourhood.referral_start(actor=officer, referral=referral, started_on=date(2025, 3, 3))
    first = referral.outcomes.order_by("pk")[0]
    neighbourhood.team_record_add(
        actor=officer,
        referral=referral,
        recorded_on=date(2025, 3, 10),
        hours=Decimal(3),
        how_met="Walked to the shops together.",
        outcome=first,
    )
    neighbourhood.outcome_review(actor=officer, outcome=first, reviewed_on=date(2025, 3, 28), progress="achieved")
    for area, model, pay, turnover in (
        (pilot, CareModel.NEIGHBOURHOOD, "13.10", "18.0"),
        (other, CareModel.TIME_AND_TASK, "12.21", "31.5"),
    ):
        neighbourhood.workforce_measure_record(
            actor=officer,
            area=area,
            care_model=model,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
            median_hourly_pay=Decimal(pay),
            real_living_wage=Decimal("12.60"),
            staff_turnover_percent=Decimal(turnover),
            carers_survey_score=Decimal("7.5"),
            carers_survey_responses=40,
            source="Provider workforce return",
        )
    figures = {f.area: f for f in selectors.neighbourhood_comparison(today=today)}
    pilot_figures, tnt = figures["Inner North"], figures["Inner South"]
    assert pilot_figures.care_model == CareModel.NEIGHBOURHOOD and tnt.care_model == CareModel.TIME_AND_TASK
    assert pilot_figures.hours_use_percent == Decimal("87.5")
    assert (pilot_figures.outcomes_agreed, pilot_figures.outcomes_achieved) == (2, 1)
    assert pilot_figures.median_days_to_start == 2
    assert pilot_figures.pay_against_living_wage == Decimal("0.50")
    assert tnt.outcomes_agreed is None  # time and task records visits, not outcomes: shown as not recorded
    assert tnt.pay_against_living_wage == Decimal("-0.39")
    assert first.reviews.count() == 1 and referral.outcomes.get(pk=first.pk).status == OutcomeStatus.ACHIEVED


def test_moving_a_person_between_models_keeps_the_history(officer, areas):
    chws = neighbourhood.neighbourhood_agreement_create(actor=officer, agreement=AgreementFactory(name="CHWS"))
    bank = neighbourhood.hours_bank_create(
        actor=officer,
        neighbourhood=chws,
        area=areas[0],
        team_name="Team",
        weekly_hours=Decimal(100),
        starts_on=date(2025, 1, 6),
    )
    neighbourhood.care_model_move(
        actor=officer,
        person_reference="P-7",
        to_model=CareModel.NEIGHBOURHOOD,
        moved_on=date(2025, 2, 1),
        reason="Pilot area",
        bank=bank,
        outcomes=["Stay at home safely"],
    )
    with pytest.raises(ValidationError, match="already"):
        neighbourhood.care_model_move(
            actor=officer,
            person_reference="P-7",
            to_model=CareModel.NEIGHBOURHOOD,
            moved_on=date(2025, 2, 2),
            reason="again",
            bank=bank,
            outcomes=["x"],
        )
    neighbourhood.care_model_move(
        actor=officer,
        person_reference="P-7",
        to_model=CareModel.TIME_AND_TASK,
        moved_on=date(2025, 5, 1),
        reason="Moved out of the area",
    )
    history = list(selectors.care_model_history(person_reference="P-7"))
    assert [(m.from_model, m.to_model) for m in history] == [
        (CareModel.TIME_AND_TASK, CareModel.NEIGHBOURHOOD),
        (CareModel.NEIGHBOURHOOD, CareModel.TIME_AND_TASK),
    ]
    assert history[0].referral is not None and history[0].referral.closed_on == date(2025, 5, 1)
