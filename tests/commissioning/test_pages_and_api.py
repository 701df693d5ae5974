from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from commissioning.models import Tender, TimetableTask
from commissioning.services import tenders as services
from commissioning.services.markets import debarment_entry_record
from providers.models import LocalityArea
from tests.commissioning.factories import make_tender, moderate, score_independently
from tests.commissioning.world import commissioning_values
from tests.conftest import client_for
from tests.contracts.factories import AgreementFactory, LotFactory
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(officer):
    area = LocalityArea.objects.create(name="North", code="north")
    return commissioning_values(officer, AgreementFactory(), ProviderFactory(), area)


PAGES = [
    ("home", []),
    ("tender_list", []),
    ("tender_detail", ["tender_id"]),
    ("tender_create", []),
    ("bid_record", ["tender_id"]),
    ("tender_report", ["tender_id"]),
    ("timetable_list", []),
    ("timetable_create", []),
    ("timetable_detail", ["timetable_id"]),
    ("task_move", ["task_id"]),
    ("task_status", ["task_id"]),
    ("market_list", []),
    ("market_detail", ["market_id"]),
    ("market_notice", ["market_id"]),
    ("market_application", ["market_request_id"]),
    ("funding_list", []),
    ("funding_detail", ["model_id"]),
    ("neighbourhood", []),
    ("hours_bank", ["bank_id"]),
    ("hours_bank_week", ["bank_id"]),
    ("outcome_review", ["outcome_id"]),
    ("care_model_move", []),
    ("care_model_history", ["person_reference"]),
    ("debarment_record", []),
    ("evaluator_add", ["tender_id"]),
    ("funding_create", []),
    ("referral_create", []),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[name for name, _ in PAGES])
def test_every_procurement_page_renders_for_officers_and_for_nobody_else(
    officer_client, provider_client, values, name, kwargs
):
    url = reverse(f"commissioning:procurement:{name}", kwargs={k: values[k] for k in kwargs})
    response = officer_client.get(url)
    assert response.status_code == 200, url
    assert response.content.count(b"<h1") == 1
    assert provider_client.get(url).status_code in (302, 403)


def test_the_api_serves_officers_and_refuses_providers(officer_client, provider_client, values):
    for path in [
        "/api/tenders/",
        "/api/timetables/",
        "/api/dynamic-markets/",
        "/api/dynamic-market-requests/",
        "/api/funding-models/",
        "/api/hours-banks/",
        "/api/neighbourhood-comparison/",
        "/api/debarment-entries/",
        "/api/neighbourhood-referrals/",
        f"/api/timetables/{values['timetable_id']}/",
        f"/api/tenders/{values['tender_id']}/",
    ]:
        assert officer_client.get(path).status_code == 200, path
        assert provider_client.get(path).status_code == 403, path
    tasks = officer_client.get(f"/api/timetables/{values['timetable_id']}/").json()["tasks"]
    assert len(tasks) == 36 and tasks[0]["original_wording"] == "April/May 2008"


def test_moving_a_task_on_the_page_previews_every_dependents_slippage_then_saves(officer_client, values):
    task = TimetableTask.objects.get(timetable_id=values["timetable_id"], number=14)
    url = reverse("commissioning:procurement:task_move", args=[task.pk])
    preview = officer_client.post(url, {"wording": "Mid January 2009", "reason": "Deferred"})
    assert preview.status_code == 200
    assert b"slippage-preview" in preview.content and b"31" in preview.content
    task.refresh_from_db()
    assert task.planned_wording == "Mid December 2008"  # a preview saves nothing
    saved = officer_client.post(url, {"wording": "Mid January 2009", "reason": "Deferred", "save": "yes"})
    assert saved.status_code == 302
    task.refresh_from_db()
    assert task.planned_wording == "Mid January 2009"
    bad = officer_client.post(url, {"wording": "after the summer", "reason": "x"})
    assert bad.status_code == 400 and b"There is a problem" in bad.content


def test_an_evaluator_sees_only_their_own_scores_and_the_report_downloads(officer):
    world = make_tender(officer)
    score_independently(world, apart=2)
    first, second = world.panel
    sheet = client_for(second).get(reverse("commissioning:procurement:tender_score", args=[world.tender.pk]))
    assert sheet.status_code == 200
    # B's Q1: the second evaluator gave 3, the first 5; only 3 is pre-selected on the second's sheet.
    name = f"score-{world.bids['B'].pk}-{world.questions[0].pk}"
    html = sheet.content.decode()
    cell = html[html.index(f'id="{name}"') : html.index("</select>", html.index(f'id="{name}"'))]
    assert '<option value="3" selected>' in cell and '<option value="5" selected>' not in cell
    moderate(world, rationale="")
    client = client_for(first)
    finish = client.post(
        reverse("commissioning:procurement:tender_advance", args=[world.tender.pk, "finish_moderation"])
    )
    assert finish.status_code == 302
    page = client.get(reverse("commissioning:procurement:tender_moderate", args=[world.tender.pk]))
    assert b"needs a rationale" in page.content
    services.moderated_score_agree(
        actor=first, bid=world.bids["B"], question=world.questions[0], score=5, rationale="Agreed."
    )
    services.tender_finish_moderation(actor=first, tender=world.tender)
    services.tender_recommend(actor=first, tender=world.tender, on=date(2025, 3, 3))
    csv = client.get(reverse("commissioning:procurement:tender_report_csv", args=[world.tender.pk]))
    assert csv.status_code == 200 and b"87.40" in csv.content
    xlsx = client.get(reverse("commissioning:procurement:tender_report_xlsx", args=[world.tender.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_officer_sets_up_a_tender_and_records_a_bid_on_the_pages(officer_client):
    agreement = AgreementFactory()
    LotFactory(agreement=agreement, number=1, name="North")
    form = {
        "agreement": agreement.pk,
        "reference": "T-9",
        "title": "Homecare lots",
        "quality_weight": "60",
        "price_weight": "40",
        "social_value_weight": "10",
        "social_value_mode": "share_of_total",
        "evaluation_method": "combined",
        "questions": "15 Delivery\n25 Workforce",
        "social_value_question": "Social value",
        "divergence_threshold": "1",
        "additional_places": "2",
    }
    created = officer_client.post(reverse("commissioning:procurement:tender_create"), form)
    assert created.status_code == 302
    tender = Tender.objects.get(reference="T-9")
    assert [q.weight for q in tender.questions.filter(is_social_value=False)] == [15, 25]
    assert tender.lots.get().additional_places == 2
    again = officer_client.post(reverse("commissioning:procurement:tender_create"), form)
    assert again.status_code == 400 and b"already has the reference" in again.content
    bad = officer_client.post(
        reverse("commissioning:procurement:tender_create"), {**form, "reference": "T-10", "questions": "Delivery"}
    )
    assert bad.status_code == 400
    provider = ProviderFactory()
    recorded = officer_client.post(
        reverse("commissioning:procurement:bid_record", args=[tender.pk]),
        {"lot": tender.lots.get().pk, "provider": provider.pk, "price": "125000.00"},
    )
    assert recorded.status_code == 302 and tender.lots.get().bids.get().provider == provider


LISTS = [
    ("/api/v1/tenders/", "status"),
    ("/api/v1/timetables/", "template_code"),
    ("/api/v1/dynamic-markets/", "agreement"),
    ("/api/v1/dynamic-market-requests/", "status"),
    ("/api/v1/funding-models/", "budget_year"),
    ("/api/v1/hours-banks/", "is_pilot"),
    ("/api/v1/debarment-entries/", "mandatory"),
    ("/api/v1/neighbourhood-referrals/", "person_reference"),
]


def _query_value(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.mark.parametrize(("path", "field"), LISTS, ids=[path for path, _ in LISTS])
def test_every_procurement_list_filters_and_orders_through_its_filterset(officer, officer_client, values, path, field):
    for name, mandatory in (("Debarred Care Ltd", True), ("Excluded Homecare Ltd", False)):
        debarment_entry_record(
            actor=officer, supplier_name=name, ground="Fraud", entered_on=date(2025, 3, 1), mandatory=mandatory
        )
    rows = officer_client.get(path, {"page_size": 200}).json()["results"]
    assert rows, "the world needs a row to filter"
    ids = [row["id"] for row in rows]
    ascending = [row["id"] for row in officer_client.get(path, {"ordering": "id"}).json()["results"]]
    descending = [row["id"] for row in officer_client.get(path, {"ordering": "-id"}).json()["results"]]
    assert ascending == sorted(ids) and descending == sorted(ids, reverse=True)
    value = rows[0][field]
    kept = officer_client.get(path, {field: _query_value(value)}).json()["results"]
    assert kept and all(row[field] == value for row in kept)
    assert {row["id"] for row in kept} == {row["id"] for row in rows if row[field] == value}
    refused = officer_client.get(path, {"ordering": "no_such_field"})
    assert refused.status_code == 400 and {e["attr"] for e in refused.json()["errors"]} == {"ordering"}
    # These rows keep no time of change: polling by change is refused with a reason, never a server error.
    for polling in ({"updated_since": "2000-01-01T00:00:00Z"}, {"cursor": "e30"}):
        refused = officer_client.get(path, polling)
        assert refused.status_code == 400, refused.content[:300]
