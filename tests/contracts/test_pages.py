"""Officer pages for agreements, through HTTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Agreement, FeeRate, MembershipStatus, ProviderMembership
from tests.contracts.factories import AgreementFactory, FeeRateFactory, LotFactory, MembershipFactory
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def test_provider_staff_cannot_see_agreements(provider_client):
    assert provider_client.get(reverse("commissioning:contracts:list")).status_code == 403


def test_an_officer_creates_an_agreement_through_the_form(officer_client):
    data = {
        "name": "Interim Homecare Agreement",
        "reference": "Contract ID 84738",
        "procurement_route": "light_touch_dps",
        "council_name": "Leeds City Council",
        **_date("term_start", date(2024, 4, 1)),
        **_date("term_end", date(2027, 3, 31)),
        "indicative_annual_budget": "49700000",
        "budget_year": "2024/25",
        "allocation_policy": "ranked_dps",
        "response_window_hours": "24",
        "cascade_offer_timeout_hours": "4",
        "lead_first_refusal_hours": "24",
        "extension_months": "12, 12",
        "hospital_discharge_hours": "48",
        "urgent_hours": "72",
        "routine_hours": "336",
    }
    response = officer_client.post(reverse("commissioning:contracts:create"), data)
    agreement = Agreement.objects.get(reference="Contract ID 84738")
    assert response.status_code == 302
    assert agreement.latest_possible_end == date(2029, 3, 31)
    page = officer_client.get(response["Location"]).content.decode()
    assert "Interim Homecare Agreement" in page
    assert "£49,700,000" in page
    assert "Extension 2" in page


def test_a_bad_agreement_form_shows_an_error_summary_and_saves_nothing(officer_client):
    data = {"name": "x", **_date("term_start", date(2025, 4, 1)), **_date("term_end", date(2024, 4, 1))}
    response = officer_client.post(reverse("commissioning:contracts:create"), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "The term must end after it starts." in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_detail_page_lists_lots_members_with_role_and_status_and_the_fee_rate_history(officer_client):
    agreement = AgreementFactory()
    lot = LotFactory(agreement=agreement, name="Inner East")
    MembershipFactory(agreement=agreement, lot=lot, role="lead_provider", provider=ProviderFactory(name="Lead Co"))
    MembershipFactory(
        agreement=agreement,
        provider=ProviderFactory(name="Paused Co"),
        status=MembershipStatus.SUSPENDED,
        suspended_on=date(2025, 1, 1),
        suspension_reason="Safeguarding review",
    )
    FeeRateFactory(agreement=agreement, hourly_rate=Decimal("21.00"))
    FeeRateFactory(agreement=agreement, hourly_rate=Decimal("22.50"), effective_from=date(2025, 4, 9))
    page = officer_client.get(reverse("commissioning:contracts:detail", args=[agreement.pk])).content.decode()
    assert "Lot 1: Inner East" in page or "Inner East" in page
    assert "Lead Co" in page and "Lead provider" in page
    assert "Safeguarding review" in page
    assert "Wed 9 Apr 2025" in page and "£22.50" in page
    assert page.count("<h1") == 1


def test_an_officer_adds_a_mid_week_fee_rate_and_the_staff_pay_rule_is_checked(officer_client):
    agreement = AgreementFactory()
    url = reverse("commissioning:contracts:fee_rate_add", args=[agreement.pk])
    bad = officer_client.post(
        url,
        {
            "service_type": "standard",
            "hourly_rate": "20",
            "staff_pay_element": "25",
            **_date("effective_from", date(2025, 4, 9)),
        },
    )
    assert bad.status_code == 400
    assert "cannot be more than the hourly rate" in bad.content.decode()
    good = officer_client.post(
        url,
        {
            "service_type": "standard",
            "hourly_rate": "22.50",
            "staff_pay_element": "15",
            **_date("effective_from", date(2025, 4, 9)),
        },
    )
    assert good.status_code == 302
    assert FeeRate.objects.get(agreement=agreement).effective_from == date(2025, 4, 9)


def test_an_officer_suspends_a_member_with_a_reason(officer_client):
    membership = MembershipFactory()
    url = reverse("commissioning:contracts:suspend", args=[membership.pk])
    response = officer_client.post(url, {"reason": "Missed visits under review", **_date("on", date(2025, 2, 1))})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.SUSPENDED
    assert membership.suspension_reason == "Missed visits under review"


def test_recording_a_tender_result_makes_the_lead(officer_client):
    lot = LotFactory()
    winner = ProviderFactory(name="Tender Winner Ltd")
    url = reverse("commissioning:contracts:lot_lead_appoint", args=[lot.agreement_id, lot.pk])
    response = officer_client.post(
        url, {"provider": winner.pk, "reason": "Lot 1 tender, award 2025", **_date("appointed_on", date(2025, 4, 1))}
    )
    assert response.status_code == 302
    assert ProviderMembership.objects.get(lot=lot, role="lead_provider").provider == winner


def test_the_read_api_lists_memberships_filtered_by_status(officer_client, provider_client):
    agreement = AgreementFactory()
    MembershipFactory(agreement=agreement)
    MembershipFactory(agreement=agreement, status=MembershipStatus.EXITED, exited_on=date(2025, 1, 1))
    url = reverse("api-membership-list")
    assert provider_client.get(url).status_code == 403
    data = officer_client.get(url, {"agreement": agreement.pk, "status": "appointed"}).json()
    assert data["count"] == 1
    assert data["results"][0]["role"] == "dps_member"


def test_every_agreement_form_page_renders_with_one_heading(officer_client):
    membership = MembershipFactory()
    agreement = membership.agreement
    lot = LotFactory(agreement=agreement)
    extension = agreement.extensions.create(sequence=1, length_months=12)
    urls = [
        reverse("commissioning:contracts:list"),
        reverse("commissioning:contracts:create"),
        reverse("commissioning:contracts:update", args=[agreement.pk]),
        reverse("commissioning:contracts:extension_take", args=[agreement.pk, extension.pk]),
        reverse("commissioning:contracts:lot_create", args=[agreement.pk]),
        reverse("commissioning:contracts:lot_lead_appoint", args=[agreement.pk, lot.pk]),
        reverse("commissioning:contracts:membership_appoint", args=[agreement.pk]),
        reverse("commissioning:contracts:fee_rate_add", args=[agreement.pk]),
        reverse("commissioning:contracts:suspend", args=[membership.pk]),
        reverse("commissioning:contracts:exit", args=[membership.pk]),
    ]
    for url in urls:
        response = officer_client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url


def test_an_officer_changes_the_policy_and_a_placement_deadline_with_a_reason(officer_client):
    agreement = AgreementFactory(term_start=date(2024, 4, 1), term_end=date(2027, 3, 31))
    agreement.placement_deadlines.create(urgency="hospital_discharge", hours=48)
    url = reverse("commissioning:contracts:update", args=[agreement.pk])
    assert 'value="48"' in officer_client.get(url).content.decode()
    data = {
        "name": agreement.name,
        "reference": agreement.reference,
        "procurement_route": "competitive_tender_lots",
        "council_name": agreement.council_name,
        **_date("term_start", agreement.term_start),
        **_date("term_end", agreement.term_end),
        "indicative_annual_budget": "49700000",
        "budget_year": "2024/25",
        "allocation_policy": "lead_provider_first",
        "response_window_hours": "24",
        "cascade_offer_timeout_hours": "4",
        "lead_first_refusal_hours": "12",
        "hospital_discharge_hours": "24",
        "urgent_hours": "72",
        "routine_hours": "336",
        "reason": "Moving to the lots model",
    }
    assert officer_client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.allocation_policy == "lead_provider_first"
    assert agreement.lead_first_refusal_hours == 12
    assert dict(agreement.placement_deadlines.values_list("urgency", "hours")) == {
        "hospital_discharge": 24,
        "urgent": 72,
        "routine": 336,
    }
