"""Commissioning pages in a real browser: the timetable, tender moderation, funding, the CHWS pilot, a market.

Each page passes axe-core's serious checks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from commissioning.exclusions import EXCLUSION_GROUNDS
from commissioning.models import CareModel, NoticeKind, TenderStatus, TimetableTask
from commissioning.services import funding, markets, neighbourhood, timetables
from contracts.models import ProcurementRoute
from providers.models import LocalityArea
from tests.browser.harness import assert_no_serious_accessibility_violations, follow_link, save_screenshot
from tests.commissioning.factories import make_tender, moderate, score_independently
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import make_location, write_boundary


@pytest.fixture(autouse=True)
def square_council(settings, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path)


def test_an_officer_moves_a_timetable_task_and_sees_every_dependents_slippage(signed_in_page, officer):
    timetable = timetables.timetable_from_template(actor=officer, template_code="neighbourhood_networks_v10")
    page: Page = signed_in_page("officer")
    page.goto(f"/commissioning/procurement/timetables/{timetable.pk}/")
    expect(page.locator("h1")).to_contain_text("Neighbourhood Networks")
    expect(page.get_by_text("Reconstructed timetable.")).to_be_visible()
    expect(page.locator("#task-9")).to_contain_text("Early October 2008")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-timetable")
    page.get_by_role("link", name="Move task 14").click()
    page.get_by_label("New planned date, as you would write it").fill("Mid January 2009")
    page.get_by_label("Reason").fill("Executive Board deferred")
    page.get_by_role("button", name="Show the effect on other tasks").click()
    expect(page.locator("#slippage-preview tbody tr")).to_have_count(23)  # task 14 and its 22 dependents
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-task-move-preview")
    page.get_by_role("button", name="Save this move").click()
    expect(page.get_by_text("Moved task 14.")).to_be_visible()
    page.locator(".hc-gantt").screenshot(
        path=str(save_screenshot(page, "procurement-timetable-moved").with_name("procurement-gantt.png"))
    )
    assert TimetableTask.objects.get(timetable=timetable, number=15).slippage_days == 31


def test_moderation_refuses_to_finish_until_the_divergent_score_has_a_rationale(signed_in_page, officer):
    world = make_tender(officer)
    score_independently(world, apart=2)
    moderate(world, rationale="")
    page: Page = signed_in_page("officer")
    page.goto(f"/commissioning/procurement/tenders/{world.tender.pk}/")
    assert_no_serious_accessibility_violations(page)
    page.get_by_role("button", name="Finish moderation").click()
    expect(page.get_by_text("needs a rationale", exact=False).first).to_be_visible()
    follow_link(page.get_by_role("link", name="Moderation: agree each score"))
    assert_no_serious_accessibility_violations(page)
    b, q1 = world.bids["B"], world.questions[0]
    page.locator(f"#rationale-{b.pk}-{q1.pk}").fill("The partner's evaluator missed appendix B.")
    page.get_by_role("button", name="Save agreed scores").click()
    expect(page.get_by_text("The agreed scores are saved.")).to_be_visible()
    page.get_by_role("link", name="Back to the tender").click()
    page.get_by_role("button", name="Finish moderation").click()
    page.get_by_role("button", name="Rank the bids and start standstill").click()
    expect(page.locator(".hc-report-table tbody tr").first).to_contain_text("87.40")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-tender-ranked")
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.STANDSTILL
    follow_link(page.get_by_role("link", name="Evaluation report (printable)"))
    assert_no_serious_accessibility_violations(page)


def test_funding_shares_the_pilot_beside_time_and_task_and_a_market_request(
    signed_in_page, officer, provider, provider_user
):
    north, south = (
        LocalityArea.objects.create(name=n, code=n.lower(), display_order=i) for i, n in enumerate(["North", "South"])
    )
    model = funding.funding_model_create(
        actor=officer,
        name="Funding 2025/26",
        budget=Decimal("1000000.01"),
        budget_year="2025/26",
        floor_percent=Decimal(100),
        indicators=[
            funding.IndicatorInput(
                "over_65", "Population aged 65 and over", Decimal(1), "ONS", {"north": Decimal(3), "south": Decimal(1)}
            )
        ],
        current_funding={"north": Decimal(400000), "south": Decimal(350000)},
    )
    page: Page = signed_in_page("officer")
    page.goto(f"/commissioning/procurement/funding/{model.pk}/")
    page.get_by_role("button", name="Calculate the shares").click()
    expect(page.locator("#funding-total")).to_have_text("1,000,000.01")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-funding")

    chws = neighbourhood.neighbourhood_agreement_create(actor=officer, agreement=AgreementFactory(name="CHWS"))
    bank = neighbourhood.hours_bank_create(
        actor=officer,
        neighbourhood=chws,
        area=north,
        team_name="North team",
        weekly_hours=Decimal(400),
        starts_on=date(2025, 1, 6),
        is_pilot=True,
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
    for area, care_model in ((north, CareModel.NEIGHBOURHOOD), (south, CareModel.TIME_AND_TASK)):
        neighbourhood.workforce_measure_record(
            actor=officer,
            area=area,
            care_model=care_model,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 31),
            median_hourly_pay=Decimal("12.80"),
            real_living_wage=Decimal("12.60"),
            staff_turnover_percent=Decimal(20),
            carers_survey_score=Decimal(7),
            carers_survey_responses=30,
            source="Workforce return",
        )
    page.goto("/commissioning/procurement/neighbourhood/")
    expect(page.locator("#pilot-comparison thead")).to_contain_text("North")
    expect(page.locator("#pilot-comparison thead")).to_contain_text("South")
    expect(page.locator("#pilot-comparison")).to_contain_text("Not recorded (time and task buys visits)")
    assert_no_serious_accessibility_violations(page)
    save_screenshot(page, "procurement-neighbourhood")
    follow_link(page.get_by_role("link", name="400"))
    assert_no_serious_accessibility_violations(page)

    agreement = AgreementFactory(name="Dynamic market", procurement_route=ProcurementRoute.DYNAMIC_MARKET)
    market = markets.dynamic_market_create(actor=officer, agreement=agreement)
    markets.market_notice_publish(
        actor=officer, market=market, kind=NoticeKind.DYNAMIC_MARKET, published_on=date(2025, 4, 1), reference="N-1"
    )
    request = markets.market_application_submit(
        provider_user=provider_user,
        market=market,
        location_ids=[make_location(provider).pk],
        declarations={
            "declares_contract_compliance": True,
            "declares_staff_pay_passed_on": True,
            "declares_fee_rates_accepted": True,
        },
        exclusion_answers={ground.key: {"applies": False} for ground in EXCLUSION_GROUNDS},
    )
    page.goto(f"/commissioning/procurement/markets/requests/{request.pk}/")
    expect(page.locator(".govuk-task-list__status .govuk-tag--green")).to_have_count(6 + 1 + len(EXCLUSION_GROUNDS))
    assert_no_serious_accessibility_violations(page)
    page.get_by_label("Admit to the market").check()
    page.get_by_label("Reasons").fill("Meets every condition.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    save_screenshot(page, "procurement-market-admitted")


def test_a_provider_asks_to_join_a_dynamic_market_in_the_portal(signed_in_page, officer, provider):
    make_location(provider, name="Acme Leeds Central")
    agreement = AgreementFactory(name="Homecare dynamic market", procurement_route=ProcurementRoute.DYNAMIC_MARKET)
    market = markets.dynamic_market_create(actor=officer, agreement=agreement)
    markets.market_notice_publish(
        actor=officer, market=market, kind=NoticeKind.DYNAMIC_MARKET, published_on=date(2025, 4, 1), reference="N-1"
    )
    portal: Page = signed_in_page("provider_user")
    portal.goto("/portal/markets/")
    assert_no_serious_accessibility_violations(portal)
    portal.get_by_role("link", name="Ask to join Homecare dynamic market").click()
    portal.get_by_label("Acme Leeds Central", exact=False).check()
    portal.get_by_label("We will comply with the terms of the contract").check()
    portal.get_by_label("We will pass the whole staff-pay element", exact=False).check()
    portal.get_by_label("We accept the council's fee rates").check()
    portal.get_by_role("button", name="Send the request to join").click()
    expect(portal.locator(".govuk-error-summary")).to_be_visible()  # the exclusion grounds are unanswered
    assert_no_serious_accessibility_violations(portal)
    for ground in EXCLUSION_GROUNDS:
        portal.locator(f"input[name='applies_{ground.key}'][value='no']").check()
    portal.get_by_role("button", name="Send the request to join").click()
    expect(portal.get_by_text("Your request to join was sent and has been assessed.")).to_be_visible()
    save_screenshot(portal, "procurement-portal-market-request")
