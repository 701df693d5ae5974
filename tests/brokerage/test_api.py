"""The brokerage REST API: idempotent ISA intake, packages and rankings, and providers' own offers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brokerage.models import CarePackage, Offer, PersonDetails, Visit
from brokerage.services.brokering import package_broker
from homecare.apitokens.services import api_token_create
from tests.brokerage.factories import make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    _, secret = api_token_create(user=user, name="Case-management system", created_by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def field_errors(response) -> dict[str, list[str]]:
    """A problem details body's errors, by the request field each names."""
    assert response["Content-Type"] == "application/problem+json"
    errors: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        errors.setdefault(error["attr"], []).append(error["detail"])
    return errors


def payload(market, **overrides):
    start = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {
        "source_system": "mosaic",
        "external_reference": "MOSAIC-ISA-1001",
        "agreement_reference": market.agreement.reference,
        "person": {
            "mosaic_person_id": "P-555",
            "given_name": "Albert",
            "family_name": "Hobson",
            "date_of_birth": "1940-02-01",
            "address_line_1": "12 Cardigan Road",
            "postcode": "ls6 1aa",
        },
        "visits": [
            {"day_of_week": "monday", "window_start": "08:00", "window_end": "09:30", "duration_minutes": 45},
            {
                "day_of_week": "thursday",
                "window_start": "17:00",
                "window_end": "18:00",
                "duration_minutes": 30,
                "carers": 2,
            },
        ],
        "requested_start_on": start,
        "urgency": "hospital_discharge",
        "required_skills": ["dementia"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def market(db):
    return make_market(providers=3)


@pytest.fixture
def integrator(officer):
    return token_client(officer)


def test_an_isa_posted_by_case_management_is_created_and_submitted_for_brokering(integrator, market):
    response = integrator.post("/api/packages/", payload(market), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "brokering"
    assert body["postcode_district"] == "LS6"
    assert body["hours_per_week"] == "1.75"  # 45 minutes + a double-handed 30 minutes
    assert body["deadline_at"] is not None
    assert response["Location"] == f"/api/v1/packages/{body['id']}/"  # the current version, whichever path
    assert "given_name" not in body


def test_posting_the_same_isa_twice_returns_the_same_package_not_a_duplicate(integrator, market):
    first = integrator.post("/api/packages/", payload(market), format="json")
    second = integrator.post("/api/packages/", payload(market), format="json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert CarePackage.objects.count() == 1


def test_a_different_isa_under_a_used_reference_is_a_conflict(integrator, market):
    integrator.post("/api/packages/", payload(market), format="json")
    response = integrator.post("/api/packages/", payload(market, urgency="routine"), format="json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "MOSAIC-ISA-1001" in response.json()["detail"]
    assert response.json()["package"] == CarePackage.objects.get().pk
    assert CarePackage.objects.count() == 1


def test_a_malformed_isa_gets_every_field_error_at_once_and_saves_nothing(integrator, market):
    bad = payload(
        market,
        agreement_reference="Contract ID 0",
        requested_start_on="next week",
        urgency="whenever",
        required_skills=["juggling"],
    )
    bad["person"] = {"given_name": "", "postcode": "not a postcode"}
    bad["visits"] = [{"day_of_week": "funday", "window_start": "09:00", "window_end": "08:00", "duration_minutes": 5}]
    response = integrator.post("/api/packages/", bad, format="json")
    assert response.status_code == 400
    errors = field_errors(response)
    assert {"agreement_reference", "requested_start_on", "urgency", "required_skills.0"} <= set(errors)
    assert {"person.given_name", "person.family_name", "person.address_line_1", "person.postcode"} <= set(errors)
    assert {"visits.0.day_of_week", "visits.0.duration_minutes"} <= set(errors)
    assert CarePackage.objects.count() == PersonDetails.objects.count() == Visit.objects.count() == 0


def test_visit_rules_across_fields_are_reported_by_visit(integrator, market):
    bad = payload(market)
    bad["visits"][0]["window_end"] = "07:00"
    response = integrator.post("/api/packages/", bad, format="json")
    assert response.status_code == 400
    # The rule names the field it is about, on every route (web form, API, CSV import).
    assert field_errors(response)["visits.0.window_end"] == ["The time window must end after it starts."]


def test_providers_cannot_create_packages(market):
    provider_client = token_client(make_provider_user(market.providers[0]))
    assert provider_client.post("/api/packages/", payload(market), format="json").status_code == 403


def test_the_stored_ranking_explains_every_provider(integrator, market):
    package_id = integrator.post("/api/packages/", payload(market), format="json").json()["id"]
    package_broker(package_id=package_id)
    ranking = integrator.get(f"/api/packages/{package_id}/ranking/").json()
    assert [entry["provider_name"] for entry in ranking["ranked"]] == [p.name for p in market.providers]
    assert all(entry["explanation"] for entry in ranking["ranked"])
    assert ranking["round_number"] == 1 and ranking["policy"] == "ranked_dps"


def test_a_provider_token_sees_and_answers_only_its_own_offers(integrator, market):
    package_id = integrator.post("/api/packages/", payload(market), format="json").json()["id"]
    package_broker(package_id=package_id)
    first, second = market.providers[:2]
    client = token_client(make_provider_user(first))
    offers = client.get("/api/offers/").json()["results"]
    assert len(offers) == 1
    assert offers[0]["postcode_district"] == "LS6"
    assert "Hobson" not in str(offers)
    others = Offer.objects.get(package_id=package_id, provider=second)
    assert client.get(f"/api/offers/{others.pk}/").status_code == 404
    assert client.post(f"/api/offers/{others.pk}/decline/", {"reason": "no_capacity"}).status_code == 404
    start = (timezone.localdate() + timedelta(days=3)).isoformat()
    accepted = client.post(f"/api/offers/{offers[0]['id']}/accept/", {"start_on": start}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "awarded"
    second_client = token_client(make_provider_user(second))
    refused = second_client.post(f"/api/offers/{others.pk}/accept/", {"start_on": start}, format="json")
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert "already been awarded" in refused.json()["detail"]


def test_a_decline_needs_a_known_reason_code(integrator, market):
    package_id = integrator.post("/api/packages/", payload(market), format="json").json()["id"]
    package_broker(package_id=package_id)
    offer = Offer.objects.get(package_id=package_id, provider=market.providers[0])
    client = token_client(make_provider_user(market.providers[0]))
    refused = client.post(f"/api/offers/{offer.pk}/decline/", {"reason": "bored"})
    assert refused.status_code == 400
    assert field_errors(refused) == {"reason": ['"bored" is not a valid choice.']}
    assert client.post(f"/api/offers/{offer.pk}/decline/", {"reason": "no_capacity"}).json()["status"] == "declined"


def test_the_openapi_schema_documents_the_brokerage_endpoints(officer_client):
    schema = officer_client.get("/api/schema/").content.decode()
    for path in ("/api/v1/packages/", "/api/v1/packages/{package_id}/ranking/", "/api/v1/offers/{offer_id}/accept/"):
        assert path in schema
    assert '"/api/packages/"' not in schema  # the unversioned alias is not published
