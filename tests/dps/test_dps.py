"""DPS rounds, applications, evaluation and decisions, on small hand-made fixtures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import MembershipRole, MembershipStatus
from contracts.selectors import provider_is_member
from dps import schedule, services
from dps.models import ApplicationStatus, DpsRound, RoundStatus
from dps.tasks import dps_rounds_sync
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import CqcRating
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import FAR, NEAR, make_location, make_open_round, write_boundary

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
ALL_DECLARATIONS = {
    "declares_contract_compliance": True,
    "declares_staff_pay_passed_on": True,
    "declares_fee_rates_accepted": True,
}


@pytest.fixture(autouse=True)
def square_council(settings, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path)


def _apply(provider_user, dps_round, locations, declarations=ALL_DECLARATIONS):
    application = services.application_start(provider_user=provider_user, dps_round=dps_round)
    services.application_save_draft(
        provider_user=provider_user,
        application=application,
        location_ids=[loc.pk for loc in locations],
        declarations=declarations,
    )
    return services.application_submit(provider_user=provider_user, application=application)


def _results(application):
    return {r.criterion: r for r in application.criterion_results.all()}


def test_rounds_fall_one_three_and_six_months_after_start_then_yearly():
    planned = schedule.planned_rounds(term_start=date(2024, 4, 1), term_end=date(2027, 3, 31))
    assert [(r.number, r.opens_on) for r in planned] == [
        (1, date(2024, 5, 1)),
        (2, date(2024, 7, 1)),
        (3, date(2024, 10, 1)),
        (4, date(2025, 4, 1)),
        (5, date(2026, 4, 1)),
    ]
    assert planned[3].label == "1 year after start"


def test_generating_rounds_twice_creates_them_once(officer):
    agreement = AgreementFactory()
    first = services.rounds_generate(actor=officer, agreement=agreement)
    second = services.rounds_generate(actor=officer, agreement=agreement)
    assert len(first) == 5
    assert second == []
    round_one = DpsRound.objects.get(agreement=agreement, number=1)
    assert round_one.opens_at == datetime(2024, 5, 1, tzinfo=LONDON)
    assert round_one.closes_at == datetime(2024, 5, 29, tzinfo=LONDON)


def test_the_beat_task_opens_and_closes_rounds_on_time_and_is_safe_to_run_twice(officer):
    agreement = AgreementFactory()
    services.rounds_generate(actor=officer, agreement=agreement)
    with time_machine.travel(datetime(2024, 4, 30, 23, 59, tzinfo=LONDON), tick=False):
        assert dps_rounds_sync() == {"opened": 0, "closed": 0}
    with time_machine.travel(datetime(2024, 5, 1, 0, 0, 30, tzinfo=LONDON), tick=False):
        assert dps_rounds_sync() == {"opened": 1, "closed": 0}
        assert dps_rounds_sync() == {"opened": 0, "closed": 0}
    assert DpsRound.objects.get(agreement=agreement, number=1).status == RoundStatus.OPEN
    with time_machine.travel(datetime(2024, 5, 29, 0, 1, tzinfo=LONDON), tick=False):
        assert dps_rounds_sync() == {"opened": 0, "closed": 1}
        assert dps_rounds_sync() == {"opened": 0, "closed": 0}
    assert DpsRound.objects.get(agreement=agreement, number=1).status == RoundStatus.CLOSED
    assert AuditEvent.objects.filter(action=AuditAction.DPS_ROUND_OPENED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.DPS_ROUND_CLOSED).count() == 1


def test_a_round_the_clock_missed_entirely_is_closed_not_opened(officer):
    agreement = AgreementFactory()
    services.rounds_generate(actor=officer, agreement=agreement)
    with time_machine.travel(datetime(2024, 6, 15, tzinfo=LONDON), tick=False):
        assert dps_rounds_sync() == {"opened": 0, "closed": 1}


def test_an_eligible_provider_is_evaluated_as_passing_every_criterion(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, at=NEAR, overall="Requires improvement")
    application = _apply(provider_user, dps_round, [location])
    assert application.status == ApplicationStatus.SUBMITTED
    results = _results(application)
    assert all(r.passed for r in results.values()), {k: r.reason for k, r in results.items()}
    assert results["near_boundary"].evidence["locations"][0]["distance_miles"] > 0


def test_an_inadequate_key_question_fails_the_rating_criterion_with_the_reason(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, overall="Requires improvement", key_questions={"safe": "Inadequate"})
    results = _results(_apply(provider_user, dps_round, [location]))
    assert not results["cqc_rating"].passed
    assert "Inadequate for Safe" in results["cqc_rating"].reason


def test_a_location_far_from_the_boundary_fails_the_nearness_criterion(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, at=FAR)
    result = _results(_apply(provider_user, dps_round, [location]))["near_boundary"]
    assert not result.passed
    assert "miles from the boundary (limit 5)" in result.reason


def test_a_missing_declaration_fails_that_criterion_only(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider)
    declarations = {**ALL_DECLARATIONS, "declares_staff_pay_passed_on": False}
    results = _results(_apply(provider_user, dps_round, [location], declarations))
    assert [c for c, r in results.items() if not r.passed] == ["declares_staff_pay_passed_on"]


def test_a_deregistered_or_non_homecare_location_fails_registration(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    gone = make_location(provider, registered=False, name="Closed Branch")
    home = make_location(provider, homecare=False, name="Care Home")
    reason = _results(_apply(provider_user, dps_round, [gone, home]))["cqc_registered_homecare"].reason
    assert "Closed Branch" in reason and "deregistered" in reason
    assert "Care Home" in reason and "Homecare agencies" in reason


def test_not_yet_rated_locations_may_enter(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, overall=None)
    result = _results(_apply(provider_user, dps_round, [location]))["cqc_rating"]
    assert result.passed
    assert "Not yet rated" in result.reason


def test_a_provider_cannot_name_another_providers_location(provider_user, other_provider):
    dps_round = make_open_round(AgreementFactory())
    theirs = make_location(other_provider)
    application = services.application_start(provider_user=provider_user, dps_round=dps_round)
    with pytest.raises(ValidationError, match="your own"):
        services.application_save_draft(
            provider_user=provider_user, application=application, location_ids=[theirs.pk], declarations={}
        )


def test_another_providers_staff_cannot_touch_an_application(provider_user, other_provider_user, provider):
    dps_round = make_open_round(AgreementFactory())
    application = services.application_start(provider_user=provider_user, dps_round=dps_round)
    with pytest.raises(PermissionDenied):
        services.application_submit(provider_user=other_provider_user, application=application)


def test_an_application_cannot_be_submitted_once_the_round_has_closed(provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider)
    application = services.application_start(provider_user=provider_user, dps_round=dps_round)
    services.application_save_draft(
        provider_user=provider_user, application=application, location_ids=[location.pk], declarations={}
    )
    DpsRound.objects.filter(pk=dps_round.pk).update(closes_at=dps_round.opens_at + timedelta(hours=1))
    services.rounds_sync()
    with pytest.raises(ValidationError, match="not open"):
        services.application_submit(provider_user=provider_user, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_appointing_a_passing_application_creates_a_dps_membership(officer, provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    application = _apply(provider_user, dps_round, [make_location(provider)])
    decision = services.application_decide(
        officer=officer, application=application, outcome="appoint", reasons="Meets every criterion."
    )
    assert not decision.is_override
    assert decision.membership is not None
    assert decision.membership.role == MembershipRole.DPS_MEMBER
    assert decision.membership.status == MembershipStatus.APPOINTED
    assert provider_is_member(agreement=dps_round.agreement, provider=provider, on=decision.membership.appointed_on)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPOINTED


def test_going_against_the_automatic_result_needs_a_justification_and_is_marked_as_an_override(
    officer, provider, provider_user
):
    dps_round = make_open_round(AgreementFactory())
    application = _apply(provider_user, dps_round, [make_location(provider, at=FAR)])
    with pytest.raises(ValidationError, match="justification"):
        services.application_decide(officer=officer, application=application, outcome="appoint", reasons="Needed.")
    decision = services.application_decide(
        officer=officer,
        application=application,
        outcome="appoint",
        reasons="Needed for rural coverage.",
        override_justification="Their care workers live in the eastern wards; office location is not where care is.",
    )
    assert decision.is_override
    assert not decision.automatic_passed
    event = AuditEvent.objects.get(action=AuditAction.DPS_APPLICATION_DECIDED)
    assert event.data["is_override"] is True
    assert event.data["override_justification"].startswith("Their care workers")
    assert event.actor == officer


def test_a_decision_cannot_be_made_twice(officer, provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    application = _apply(provider_user, dps_round, [make_location(provider)])
    services.application_decide(
        officer=officer, application=application, outcome="reject", reasons="x", override_justification="y"
    )
    with pytest.raises(ValidationError, match="not awaiting a decision"):
        services.application_decide(officer=officer, application=application, outcome="appoint", reasons="x")


def test_evaluating_again_uses_the_latest_cqc_rating_and_replaces_the_results(officer, provider, provider_user):
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, overall="Requires improvement", key_questions={"well_led": "Inadequate"})
    application = _apply(provider_user, dps_round, [location])
    assert not _results(application)["cqc_rating"].passed
    improved = CqcRating.objects.create(
        location=location,
        overall="Good",
        safe="Good",
        effective="Good",
        caring="Good",
        responsive="Good",
        well_led="Good",
        fingerprint="reinspected",
        source="demo",
    )
    location.current_rating = improved
    location.save(update_fields=["current_rating"])
    services.application_evaluate(application=application, actor=officer)
    assert _results(application)["cqc_rating"].passed
    assert application.criterion_results.count() == 6
    assert AuditEvent.objects.filter(action=AuditAction.DPS_APPLICATION_EVALUATED, actor=officer).count() == 1
