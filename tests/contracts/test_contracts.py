"""Agreements, memberships, fee rates and costing, through the services and selectors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from contracts import costing, selectors, services
from contracts.models import (
    AgreementExtension,
    AllocationPolicy,
    MembershipRole,
    MembershipStatus,
    ProcurementRoute,
    ProviderMembership,
    ServiceType,
    Urgency,
)
from homecare.audit.actions import AuditAction
from homecare.audit.selectors import audit_events_for
from tests.contracts.factories import AgreementFactory, FeeRateFactory, LotFactory, MembershipFactory
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

WEEKDAYS_ONE_HOUR = {day: Decimal("1") for day in range(7)}


def test_creating_an_agreement_records_its_terms_extensions_and_an_audit_event(officer):
    agreement = services.agreement_create(
        actor=officer,
        name="Interim Homecare Agreement",
        reference="Contract ID 84738",
        procurement_route=ProcurementRoute.LIGHT_TOUCH_DPS,
        council_name="Leeds City Council",
        term_start=date(2024, 4, 1),
        term_end=date(2027, 3, 31),
        indicative_annual_budget=Decimal("49700000"),
        budget_year="2024/25",
        extensions=[services.ExtensionOption(12), services.ExtensionOption(12)],
        placement_deadlines={Urgency.HOSPITAL_DISCHARGE: 48, Urgency.ROUTINE: 336},
    )
    assert agreement.effective_end == date(2027, 3, 31)
    assert agreement.latest_possible_end == date(2029, 3, 31)
    assert selectors.placement_deadline_hours(agreement=agreement, urgency=Urgency.HOSPITAL_DISCHARGE) == 48
    assert selectors.placement_deadline_hours(agreement=agreement, urgency=Urgency.URGENT) is None
    event = audit_events_for(target=agreement).get()
    assert event.action == AuditAction.AGREEMENT_CREATED
    assert event.actor == officer


def test_an_agreement_that_ends_before_it_starts_is_refused_and_nothing_is_saved(officer):
    with pytest.raises(ValidationError, match="The term must end after it starts"):
        services.agreement_create(
            actor=officer,
            name="Backwards",
            reference="Contract ID 1",
            procurement_route=ProcurementRoute.LIGHT_TOUCH_DPS,
            council_name="Leeds City Council",
            term_start=date(2025, 4, 1),
            term_end=date(2024, 4, 1),
        )
    assert not selectors.agreement_list().exists()


def test_taking_extensions_in_order_moves_the_effective_end(officer):
    agreement = AgreementFactory()
    first = AgreementExtension.objects.create(agreement=agreement, sequence=1, length_months=12)
    second = AgreementExtension.objects.create(agreement=agreement, sequence=2, length_months=12)
    with pytest.raises(ValidationError, match="earlier extension"):
        services.extension_take(actor=officer, extension=second, taken_on=date(2026, 9, 1), reason="Good value")
    extended = services.extension_take(actor=officer, extension=first, taken_on=date(2026, 9, 1), reason="Good value")
    assert extended.effective_end == date(2028, 3, 31)
    assert audit_events_for(target=extended).filter(action=AuditAction.AGREEMENT_EXTENDED).get().reason == "Good value"


def test_updating_the_allocation_policy_audits_the_before_and_after(officer):
    agreement = AgreementFactory()
    services.agreement_update(
        actor=officer,
        agreement=agreement,
        allocation_policy=AllocationPolicy.LEAD_PROVIDER_FIRST,
        lead_first_refusal_hours=8,
        reason="Moving to lots",
    )
    event = audit_events_for(target=agreement).get(action=AuditAction.AGREEMENT_UPDATED)
    assert event.data["changes"]["allocation_policy"] == ["ranked_dps", "lead_provider_first"]
    assert event.data["changes"]["lead_first_refusal_hours"] == [24, 8]


def test_a_lot_can_have_only_one_lead_provider_in_the_database():
    lot = LotFactory()
    MembershipFactory(agreement=lot.agreement, lot=lot, role=MembershipRole.LEAD_PROVIDER)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(agreement=lot.agreement, lot=lot, role=MembershipRole.LEAD_PROVIDER)


def test_appointing_a_second_lead_through_the_service_gives_a_plain_error(officer):
    lot = LotFactory()
    services.membership_appoint(
        actor=officer,
        agreement=lot.agreement,
        provider=ProviderFactory(),
        role=MembershipRole.LEAD_PROVIDER,
        lot=lot,
        appointed_on=date(2024, 4, 1),
    )
    with pytest.raises(ValidationError, match="already has a lead provider"):
        services.membership_appoint(
            actor=officer,
            agreement=lot.agreement,
            provider=ProviderFactory(),
            role=MembershipRole.LEAD_PROVIDER,
            lot=lot,
            appointed_on=date(2024, 4, 1),
        )


def test_a_tender_result_replaces_the_lead_and_ends_the_new_leads_additional_membership(officer):
    lot = LotFactory()
    old_lead = MembershipFactory(agreement=lot.agreement, lot=lot, role=MembershipRole.LEAD_PROVIDER)
    newcomer = MembershipFactory(agreement=lot.agreement, lot=lot, role=MembershipRole.ADDITIONAL_PROVIDER)
    lead = services.lot_lead_appoint(
        actor=officer, lot=lot, provider=newcomer.provider, appointed_on=date(2025, 4, 1), reason="Tender 2025 result"
    )
    old_lead.refresh_from_db()
    newcomer.refresh_from_db()
    assert old_lead.status == MembershipStatus.EXITED
    assert newcomer.status == MembershipStatus.EXITED
    assert selectors.lead_for_lot(lot=lot, on=date(2025, 4, 1)) == lead
    assert selectors.lead_for_lot(lot=lot, on=date(2025, 3, 31)) == old_lead


def test_suspension_needs_a_reason_and_removes_the_provider_from_active_memberships(officer):
    membership = MembershipFactory()
    agreement = membership.agreement
    with pytest.raises(ValidationError, match="reason"):
        services.membership_suspend(actor=officer, membership=membership, reason="  ", on=date(2025, 1, 10))
    services.membership_suspend(
        actor=officer, membership=membership, reason="Safeguarding concern under review", on=date(2025, 1, 10)
    )
    assert list(selectors.active_memberships(agreement=agreement, on=date(2025, 1, 9))) == [membership]
    assert not selectors.active_memberships(agreement=agreement, on=date(2025, 1, 10)).exists()
    services.membership_reinstate(actor=officer, membership=membership, reason="Concern resolved")
    assert selectors.provider_is_member(agreement=agreement, provider=membership.provider, on=date(2025, 2, 1))
    actions = list(audit_events_for(target=membership).values_list("action", flat=True))
    assert sorted(actions) == [AuditAction.MEMBERSHIP_REINSTATED, AuditAction.MEMBERSHIP_SUSPENDED]


def test_an_exited_provider_is_no_longer_active_and_can_be_appointed_again(officer):
    membership = MembershipFactory()
    services.membership_exit(actor=officer, membership=membership, reason="Left the market", on=date(2025, 6, 30))
    assert not selectors.active_memberships(agreement=membership.agreement, on=date(2025, 7, 1)).exists()
    again = services.membership_appoint(
        actor=officer, agreement=membership.agreement, provider=membership.provider, appointed_on=date(2026, 4, 1)
    )
    assert ProviderMembership.objects.filter(provider=membership.provider).count() == 2
    assert again.status == MembershipStatus.APPOINTED


def test_a_provider_cannot_hold_two_current_dps_memberships_of_one_agreement(officer):
    membership = MembershipFactory()
    with pytest.raises(ValidationError, match="already a current member"):
        services.membership_appoint(
            actor=officer, agreement=membership.agreement, provider=membership.provider, appointed_on=date(2025, 1, 1)
        )


def test_two_fee_rates_cannot_start_on_the_same_day(officer):
    rate = FeeRateFactory()
    with pytest.raises(ValidationError):
        services.fee_rate_add(
            actor=officer,
            agreement=rate.agreement,
            service_type=rate.service_type,
            hourly_rate=Decimal("22.00"),
            staff_pay_element=Decimal("15.00"),
            effective_from=rate.effective_from,
        )


def test_a_staff_pay_element_above_the_hourly_rate_is_refused(officer):
    agreement = AgreementFactory()
    with pytest.raises(ValidationError, match="staff-pay element"):
        services.fee_rate_add(
            actor=officer,
            agreement=agreement,
            service_type=ServiceType.STANDARD,
            hourly_rate=Decimal("20.00"),
            staff_pay_element=Decimal("20.01"),
            effective_from=date(2024, 4, 1),
        )


def test_rate_in_force_is_the_latest_rate_started_by_that_day(officer):
    agreement = AgreementFactory()
    FeeRateFactory(agreement=agreement, hourly_rate=Decimal("21.00"), effective_from=date(2024, 4, 1))
    services.fee_rate_add(
        actor=officer,
        agreement=agreement,
        service_type=ServiceType.STANDARD,
        hourly_rate=Decimal("22.50"),
        staff_pay_element=Decimal("15.00"),
        effective_from=date(2025, 4, 9),
    )
    before = selectors.rate_in_force(agreement=agreement, service_type="standard", on=date(2025, 4, 8))
    after = selectors.rate_in_force(agreement=agreement, service_type="standard", on=date(2025, 4, 9))
    assert before is not None and before.hourly_rate == Decimal("21.00")
    assert after is not None and after.hourly_rate == Decimal("22.50")
    assert selectors.rate_in_force(agreement=agreement, service_type="standard", on=date(2024, 3, 31)) is None


def test_a_mid_week_fee_rate_change_is_costed_day_by_day(officer):
    """Monday 7 April 2025 to Sunday 13 April; the new rate starts on Wednesday 9 April.

    Two days (Mon, Tue) at £21.00 and five days (Wed to Sun) at £22.50, two hours a day:
    2 x 2 x 21.00 + 5 x 2 x 22.50 = 84.00 + 225.00 = £309.00.
    """
    agreement = AgreementFactory()
    FeeRateFactory(agreement=agreement, hourly_rate=Decimal("21.00"), effective_from=date(2024, 4, 1))
    services.fee_rate_add(
        actor=officer,
        agreement=agreement,
        service_type=ServiceType.STANDARD,
        hourly_rate=Decimal("22.50"),
        staff_pay_element=Decimal("15.00"),
        effective_from=date(2025, 4, 9),
    )
    two_hours_daily = {day: Decimal("2") for day in range(7)}
    rates = selectors.fee_rate_steps(agreement=agreement)

    def week_from(start: date) -> Decimal:
        return costing.week_cost_by_type(week_start=start, hours={"standard": two_hours_daily}, rates=rates)

    assert week_from(date(2025, 4, 7)) == Decimal("309.00")
    # The week before the change is all at the old rate, the week after all at the new one.
    before = week_from(date(2025, 3, 31))
    after = week_from(date(2025, 4, 14))
    assert (before, after) == (Decimal("294.00"), Decimal("315.00"))


def test_a_visit_pattern_counts_only_the_days_with_care():
    steps = [
        costing.RateStep(date(2025, 1, 1), Decimal("20.00")),
        costing.RateStep(date(2025, 1, 8), Decimal("30.00")),
    ]
    # Mondays and Thursdays, 1.5 hours; Wed 1 Jan 2025 to Tue 14 Jan: Thu 2 at £20, Mon 6 at £20,
    # Thu 9 at £30, Mon 13 at £30.
    pattern = {0: Decimal("1.5"), 3: Decimal("1.5")}
    cost = costing.period_cost(start=date(2025, 1, 1), end=date(2025, 1, 14), hours_by_weekday=pattern, steps=steps)
    assert cost == Decimal("150.00")


def test_care_before_the_first_rate_cannot_be_costed():
    steps = [costing.RateStep(date(2025, 1, 8), Decimal("30.00"))]
    with pytest.raises(costing.NoRateInForce):
        costing.weekly_cost(week_start=date(2025, 1, 6), hours_by_weekday=WEEKDAYS_ONE_HOUR, steps=steps)


def test_a_day_without_care_needs_no_rate():
    steps = [costing.RateStep(date(2025, 1, 8), Decimal("30.00"))]
    # Only Sunday has care; the week starts Monday 6 January, before the first rate, and that is fine.
    assert costing.weekly_cost(week_start=date(2025, 1, 6), hours_by_weekday={6: Decimal("1")}, steps=steps) == Decimal(
        "30.00"
    )


def test_agreement_in_force_follows_the_effective_end(officer):
    agreement = AgreementFactory(term_start=date(2024, 4, 1), term_end=date(2027, 3, 31))
    extension = AgreementExtension.objects.create(agreement=agreement, sequence=1, length_months=12)
    assert selectors.agreement_in_force(on=date(2027, 6, 1)) is None
    services.extension_take(actor=officer, extension=extension, taken_on=date(2026, 10, 1), reason="Extend")
    assert selectors.agreement_in_force(on=date(2027, 6, 1)) == agreement


_hours = st.decimals(min_value=0, max_value=24, places=2)
_pattern = st.dictionaries(st.integers(min_value=0, max_value=6), _hours, max_size=7)


@given(
    pattern=_pattern,
    change_day=st.integers(min_value=0, max_value=6),
    old=st.decimals(min_value=1, max_value=60, places=2),
    new=st.decimals(min_value=1, max_value=60, places=2),
)
def test_a_week_costs_the_days_before_a_change_at_the_old_rate_and_the_rest_at_the_new(pattern, change_day, old, new):
    week_start = date(2025, 4, 7)  # a Monday
    change_on = week_start + timedelta(days=change_day)
    steps = [costing.RateStep(date(2025, 1, 1), old), costing.RateStep(change_on, new)]
    expected = sum(
        (pattern.get(day, Decimal("0")) * (old if day < change_day else new) for day in range(7)),
        start=Decimal("0"),
    ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert costing.weekly_cost(week_start=week_start, hours_by_weekday=pattern, steps=steps) == expected


@given(pattern=_pattern, split=st.integers(min_value=1, max_value=27))
def test_costing_a_period_in_two_parts_gives_the_same_total_to_the_penny(pattern, split):
    steps = [
        costing.RateStep(date(2025, 1, 1), Decimal("21.37")),
        costing.RateStep(date(2025, 1, 15), Decimal("22.91")),
    ]
    start, end = date(2025, 1, 1), date(2025, 1, 28)
    middle = start + timedelta(days=split)
    whole = costing.period_cost(start=start, end=end, hours_by_weekday=pattern, steps=steps)
    first = costing.period_cost(start=start, end=middle - timedelta(days=1), hours_by_weekday=pattern, steps=steps)
    second = costing.period_cost(start=middle, end=end, hours_by_weekday=pattern, steps=steps)
    # Each part is rounded once, so the parts may differ from the whole by at most a penny.
    assert abs(whole - (first + second)) <= Decimal("0.01")
