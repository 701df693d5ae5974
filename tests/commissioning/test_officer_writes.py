"""The officer pages for writes that were services only: debarment entries, funding models and their
sensitivity, direct CHWS referrals, panel members added later; and standstill skipping bank holidays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.models import DebarmentEntry, Evaluator, FundingModel, Referral, Tender, TenderStatus
from commissioning.services import tenders as tender_services
from commissioning.services.tenders import add_working_days
from homecare.accounts.audiences import Audience
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import LocalityArea
from tests.commissioning.world import commissioning_values
from tests.contracts.factories import AgreementFactory
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"commissioning:procurement:{name}", args=args)


@pytest.fixture
def values(officer):
    area = LocalityArea.objects.create(name="North", code="north", display_order=1)
    return commissioning_values(officer, AgreementFactory(), ProviderFactory(), area)


def test_standstill_skips_england_and_wales_bank_holidays():
    # Thursday 17 April 2025 + 8 working days, skipping Good Friday (18th) and Easter Monday (21st): 1 May.
    assert add_working_days(date(2025, 4, 17), 8) == date(2025, 5, 1)
    # A week with no bank holiday: Monday 3 March + 8 working days = Thursday 13 March.
    assert add_working_days(date(2025, 3, 3), 8) == date(2025, 3, 13)
    # Christmas Day and Boxing Day 2025 (Thursday and Friday).
    assert add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)


def test_an_officer_records_a_debarment_entry_and_bad_input_loses_nothing(officer_client):
    response = officer_client.post(url("debarment_record"), {"supplier_name": "Acme Care Ltd", "ground": ""})
    assert response.status_code == 400 and not DebarmentEntry.objects.exists()
    response = officer_client.post(
        url("debarment_record"),
        {
            "supplier_name": "Acme Care Ltd",
            "companies_house_number": "01234567",
            "ground": "Fraud",
            "mandatory": "on",
            "entered_on_0": "3",
            "entered_on_1": "3",
            "entered_on_2": "2025",
        },
    )
    assert response.status_code == 302
    entry = DebarmentEntry.objects.get()
    assert (entry.supplier_name, entry.companies_house_number, entry.mandatory) == ("Acme Care Ltd", "01234567", True)
    assert AuditEvent.objects.filter(action=AuditAction.DEBARMENT_ENTRY_RECORDED).count() == 1
    assert b"Acme Care Ltd" in officer_client.get(url("market_list")).content
    listed = officer_client.get("/api/debarment-entries/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(row["supplier_name"], row["ground"]) for row in rows] == [("Acme Care Ltd", "Fraud")]


def test_an_officer_adds_an_evaluator_to_the_panel_before_moderation_only(officer, officer_client, values):
    colleague = User.objects.create_user("colleague", first_name="Sam", last_name="Evans")
    colleague.groups.add(Group.objects.get_or_create(name=Audience.OFFICER.group_name)[0])
    tender_id = values["tender_id"]
    page = officer_client.get(url("evaluator_add", tender_id)).content.decode()
    assert "Sam Evans" in page and f'value="{officer.pk}"' not in page  # already on the panel
    response = officer_client.post(url("evaluator_add", tender_id), {"user": colleague.pk, "organisation": "NHS"})
    assert response.status_code == 302
    assert Evaluator.objects.get(tender_id=tender_id, user=colleague).organisation == "NHS"
    assert AuditEvent.objects.filter(action=AuditAction.EVALUATOR_ADDED).count() == 1
    panel = officer_client.get(f"/api/tenders/{tender_id}/").json()["panel"]
    assert {(member["username"], member["organisation"]) for member in panel} == {
        ("officer", "Council"),
        ("colleague", "NHS"),
    }
    tender = Tender.objects.get(pk=tender_id)
    Tender.objects.filter(pk=tender_id).update(status=TenderStatus.MODERATION)
    with pytest.raises(ValidationError, match="not being set up or independent scoring"):
        tender_services.evaluator_add(actor=officer, tender=tender, user=User.objects.create_user("late"))


def _funding_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Localities 2026/27",
        "budget_year": "2026/27",
        "budget": "1000.00",
        "floor_percent": "90",
        "indicator1_name": "Population over 65",
        "indicator1_weight": "2",
        "indicator1_source": "ONS mid-year estimates",
        "indicator1_east": "300",
        "indicator1_west": "100",
        "indicator2_name": "Deprivation",
        "indicator2_weight": "1",
        "indicator2_source": "IMD 2019",
        "indicator2_east": "1",
        "indicator2_west": "3",
        "current_east": "500",
        "current_west": "500",
    }
    data.update(overrides)
    return data


def test_an_officer_sets_up_a_funding_model_and_sees_the_shares_and_a_chosen_sensitivity(officer_client):
    LocalityArea.objects.create(name="East", code="east", display_order=1)
    LocalityArea.objects.create(name="West", code="west", display_order=2)
    response = officer_client.post(url("funding_create"), _funding_post(indicator2_west=""))
    assert response.status_code == 400 and not FundingModel.objects.exists()
    response = officer_client.post(url("funding_create"), _funding_post())
    model = FundingModel.objects.get()
    assert response.status_code == 302 and response["Location"] == url("funding_detail", model.pk)
    amounts = {row.area.code: row.amount for row in model.allocations.select_related("area")}
    # East: 2/3 * 0.75 + 1/3 * 0.25 = 7/12 of £1,000, West 5/12; West's floor is £450 (90% of £500).
    assert amounts == {"east": Decimal("550.00"), "west": Decimal("450.00")}
    page = officer_client.get(url("funding_detail", model.pk)).content.decode()
    assert "ONS mid-year estimates" in page and "550.00" in page
    # Population down 25% and deprivation up 25% (weights 1.5 and 1.25): East 1.4375/2.75 of £1,000, so West
    # rises above its floor and is no longer held there.
    changed = officer_client.get(
        url("funding_detail", model.pk), {"change_population-over-65": "-25", "change_deprivation": "25"}
    )
    scenario = changed.context["scenario"]
    assert {name: row.changed.amount for name, row in scenario} == {
        "East": Decimal("522.73"),
        "West": Decimal("477.27"),
    }
    assert {name: row.movement for name, row in scenario} == {"East": Decimal("-27.27"), "West": Decimal("27.27")}
    assert not dict(scenario)["West"].changed.held_at_floor
    assert sum(row.changed.amount for _, row in scenario) == model.budget
    # Population up 25%: West would fall below its floor and is held there.
    held = officer_client.get(url("funding_detail", model.pk), {"change_population-over-65": "25"})
    west = dict(held.context["scenario"])["West"]
    assert west.changed.amount == Decimal("450.00") and west.changed.held_at_floor
    # A made-up change is ignored, not a crash.
    assert officer_client.get(url("funding_detail", model.pk), {"change_deprivation": "99"}).status_code == 200


def test_an_officer_refers_a_person_straight_to_a_neighbourhood_team(officer_client, values):
    response = officer_client.post(
        url("referral_create"),
        {
            "bank": values["bank_id"],
            "person_reference": "M-42",
            "referred_on_0": "5",
            "referred_on_1": "5",
            "referred_on_2": "2025",
            "referred_by": "District nurse",
            "outcomes": "Walk to the shop again\n\nCook a hot meal",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person_reference="M-42")
    assert [o.description for o in referral.outcomes.order_by("pk")] == ["Walk to the shop again", "Cook a hot meal"]
    assert AuditEvent.objects.filter(action=AuditAction.REFERRAL_RECEIVED, target_id=str(referral.pk)).exists()
    listed = officer_client.get("/api/neighbourhood-referrals/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    mine = next(row for row in rows if row["person_reference"] == "M-42")
    assert [outcome["description"] for outcome in mine["outcomes"]] == ["Walk to the shop again", "Cook a hot meal"]


def test_the_reports_page_shows_the_pilot_beside_time_and_task(officer_client, values):
    page = officer_client.get(reverse("commissioning:reports:index")).content.decode()
    assert 'id="pilot-panel-table"' in page and "North" in page and "Neighbourhood team" in page
