from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.exclusions import EXCLUSION_GROUNDS
from commissioning.models import MarketApplication, MarketApplicationStatus, MarketCheckKind, NoticeKind
from commissioning.services import markets as services
from contracts.models import MembershipRole, ProcurementRoute
from homecare.audit.models import AuditEvent
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import FAR, make_location, write_boundary

pytestmark = pytest.mark.django_db
ALL_DECLARATIONS = {
    "declares_contract_compliance": True,
    "declares_staff_pay_passed_on": True,
    "declares_fee_rates_accepted": True,
}
NONE_APPLY = {ground.key: {"applies": False} for ground in EXCLUSION_GROUNDS}


@pytest.fixture(autouse=True)
def square_council(settings, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path)


@pytest.fixture
def market(officer):
    agreement = AgreementFactory(name="Homecare dynamic market", procurement_route=ProcurementRoute.DYNAMIC_MARKET)
    market = services.dynamic_market_create(actor=officer, agreement=agreement, assessment_days=10)
    services.market_notice_publish(
        actor=officer,
        market=market,
        kind=NoticeKind.DYNAMIC_MARKET,
        published_on=date(2025, 4, 1),
        reference="2025/S 000-012345",
    )
    return market


def _ask(provider_user, market, locations, answers=NONE_APPLY):
    return services.market_application_submit(
        provider_user=provider_user,
        market=market,
        location_ids=[loc.pk for loc in locations],
        declarations=ALL_DECLARATIONS,
        exclusion_answers=answers,
    )


def test_a_provider_joins_through_the_membership_conditions_and_the_exclusion_checks(
    market, provider, provider_user, officer
):
    application = _ask(provider_user, market, [make_location(provider)])
    checks = {check.criterion: check for check in application.checks.all()}
    # The Leeds DPS entry criteria, evaluated by the DPS code, are the conditions of membership.
    conditions = [c for c in checks.values() if c.kind == MarketCheckKind.CONDITION]
    assert [c.criterion for c in conditions] == [
        "cqc_registered_homecare",
        "cqc_rating",
        "near_boundary",
        "declares_contract_compliance",
        "declares_staff_pay_passed_on",
        "declares_fee_rates_accepted",
    ]
    assert checks["near_boundary"].evidence["locations"][0]["distance_miles"] == 0
    assert checks["debarment_list"].passed and checks["debarment_list"].evidence["entries_checked"] == 0
    assert all(check.passed for check in checks.values())
    assert application.assess_by == timezone.localdate() + timedelta(days=10)
    decided = services.market_application_decide(
        officer=officer, application=application, outcome="admit", reasons="Meets every condition."
    )
    assert decided.status == MarketApplicationStatus.ADMITTED
    assert decided.membership is not None
    assert decided.membership.role == MembershipRole.DPS_MEMBER and decided.membership.agreement == market.agreement
    assert AuditEvent.objects.filter(action="market_application.decided", target_id=str(application.pk)).exists()


def test_a_supplier_on_the_debarment_list_is_excluded_and_cannot_be_admitted(market, provider, provider_user, officer):
    provider.companies_house_number = "01234567"
    provider.save()
    services.debarment_entry_record(
        actor=officer,
        supplier_name="A different trading name",
        companies_house_number="01234567",
        ground="Fraud (Schedule 6)",
        entered_on=date(2025, 3, 1),
    )
    application = _ask(provider_user, market, [make_location(provider)])
    check = application.checks.get(criterion="debarment_list")
    assert not check.passed
    assert check.evidence["matches"][0]["companies_house_number"] == "01234567"
    with pytest.raises(ValidationError, match="mandatory exclusion"):
        services.market_application_decide(
            officer=officer, application=application, outcome="admit", reasons="x", override_justification="y"
        )


def test_a_discretionary_ground_needs_the_officers_justification_to_admit(market, provider, provider_user, officer):
    answers = {**NONE_APPLY, "poor_performance": {"applies": True, "explanation": "A contract ended early in 2023."}}
    application = _ask(provider_user, market, [make_location(provider)], answers)
    assert not application.checks.get(criterion="poor_performance").passed
    with pytest.raises(ValidationError, match="justification"):
        services.market_application_decide(officer=officer, application=application, outcome="admit", reasons="x")
    decided = services.market_application_decide(
        officer=officer,
        application=application,
        outcome="admit",
        reasons="Admitted.",
        override_justification="Self-cleaning evidenced: new management, two years of good performance.",
    )
    assert decided.is_override and decided.membership is not None


def test_a_location_failing_a_condition_fails_the_request_with_its_evidence(market, provider, provider_user):
    application = _ask(provider_user, market, [make_location(provider, at=FAR)])
    check = application.checks.get(criterion="near_boundary")
    assert not check.passed and "limit 5" in check.reason


def test_every_exclusion_ground_must_be_answered(market, provider, provider_user):
    with pytest.raises(ValidationError, match="Answer every exclusion ground"):
        _ask(provider_user, market, [make_location(provider)], {"cartel": {"applies": False}})


def test_an_agreement_not_procured_as_a_dynamic_market_cannot_run_one(officer):
    with pytest.raises(ValidationError, match="procurement route"):
        services.dynamic_market_create(actor=officer, agreement=AgreementFactory())


def test_a_ceased_market_takes_no_more_requests(market, provider, provider_user, officer):
    services.market_notice_publish(
        actor=officer, market=market, kind=NoticeKind.CESSATION, published_on=date(2026, 1, 1), reference="2026/S 1"
    )
    with pytest.raises(ValidationError, match="not open"):
        _ask(provider_user, market, [make_location(provider)])


def test_a_provider_asks_to_join_in_the_portal_and_is_assessed_at_once(market, provider, provider_client):
    location = make_location(provider)
    assert provider_client.get("/portal/markets/").status_code == 200
    url = f"/portal/markets/{market.pk}/request/"
    answers = {f"applies_{ground.key}": "no" for ground in EXCLUSION_GROUNDS}
    incomplete = provider_client.post(url, {"locations": [location.pk]})
    assert incomplete.status_code == 400 and not MarketApplication.objects.exists()
    sent = provider_client.post(url, {"locations": [location.pk], **dict.fromkeys(ALL_DECLARATIONS, "on"), **answers})
    assert sent.status_code == 302
    application = MarketApplication.objects.get(provider=provider)
    assert application.automatic_result_passed is True
