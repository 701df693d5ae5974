"""The API's change actions: each idempotent on an Idempotency-Key, each with the web's errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brokerage.models import CarePackage, HandBack, Offer, PackageChange
from brokerage.services.packages import package_enter
from homecare.queue import enqueue_suspended
from tests.api.tokens import api_authorization
from tests.brokerage.changes_helpers import awarded_package, day
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LONGER = [
    {"day_of_week": name, "window_start": "08:00", "window_end": "10:00", "duration_minutes": 90, "carers": 1}
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
]


@pytest.fixture(autouse=True)
def _quiet():
    with enqueue_suspended():
        yield


def post(path: str, body: dict[str, Any], auth: dict[str, str], key: str | None = "new") -> Any:
    headers = dict(auth)
    if key is not None:
        headers["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
    return Client().post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def live(officer):
    market = make_market(providers=2)
    package, offer, user = awarded_package(market, officer)
    return package, offer, user


def test_a_variation_through_the_api_is_made_once_however_often_it_is_sent(live, officer):
    package, _offer, _user = live
    auth = api_authorization(officer)
    body = {"effective_from": day(2).isoformat(), "visits": LONGER, "note": "Needs longer calls"}
    first = post(f"/api/packages/{package.pk}/vary/", body, auth, key="vary-1")
    again = post(f"/api/packages/{package.pk}/vary/", body, auth, key="vary-1")
    assert first.status_code == 201, first.json()
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["status"] == "proposed" and first.json()["history"][0]["to_status"] == "proposed"
    assert PackageChange.objects.filter(package=package).count() == 1

    other = post(f"/api/packages/{package.pk}/vary/", {**body, "note": "Other"}, auth, key="vary-1")
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    assert other.json()["errors"][0]["attr"] == "Idempotency-Key"
    missing = post(f"/api/packages/{package.pk}/vary/", body, auth, key=None)
    assert missing.status_code == 400 and missing.json()["errors"][0]["attr"] == "Idempotency-Key"
    assert PackageChange.objects.filter(package=package).count() == 1


def test_the_api_and_the_web_report_the_same_refusal(officer):
    market = make_market(providers=2)
    package = package_enter(isa=make_isa(market), entered_by=officer).package  # still brokering
    auth = api_authorization(officer)
    body = {"effective_from": day(2).isoformat(), "visits": LONGER}
    api = post(f"/api/packages/{package.pk}/vary/", body, auth, key="refused")
    assert api.status_code == 409 and api["Content-Type"] == "application/problem+json"
    detail = api.json()["detail"]
    assert "only an awarded package can" in detail
    # The refusal is stored with the key, as any answer is: a retry gets it again.
    assert post(f"/api/packages/{package.pk}/vary/", body, auth, key="refused").json() == api.json()

    form = {
        "effective_from_0": day(2).day, "effective_from_1": day(2).month, "effective_from_2": day(2).year,
        "respond_within_hours": 48,
        "carer_gender": "any",
        "visits-TOTAL_FORMS": 1, "visits-INITIAL_FORMS": 0, "visits-MIN_NUM_FORMS": 1, "visits-MAX_NUM_FORMS": 42,
        "visits-0-day_of_week": 0, "visits-0-window_start": "08:00", "visits-0-window_end": "10:00",
        "visits-0-duration_minutes": 90, "visits-0-carers": 1,
    }  # fmt: skip
    page = client_for(officer).post(f"/commissioning/packages/{package.pk}/vary/", form)
    assert page.status_code == 200
    assert detail in page.content.decode().replace("&#x27;", "'")


def test_a_bad_visit_is_a_400_naming_the_field(live, officer):
    package, _offer, _user = live
    bad = [{**LONGER[0], "duration_minutes": 150}, *LONGER[1:]]
    response = post(
        f"/api/packages/{package.pk}/vary/",
        {"effective_from": day(2).isoformat(), "visits": bad},
        api_authorization(officer),
    )
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["visits.0.duration_minutes"]


def test_a_provider_system_answers_a_variation_and_the_council_suspends_resumes_and_ends(live, officer):
    package, _offer, user = live
    officer_auth, provider_auth = api_authorization(officer), api_authorization(user)
    change = post(
        f"/api/packages/{package.pk}/vary/", {"effective_from": day(1).isoformat(), "visits": LONGER}, officer_auth
    ).json()
    accepted = post(f"/api/changes/{change['id']}/accept/", {}, provider_auth, key="accept-1")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert post(f"/api/changes/{change['id']}/accept/", {}, provider_auth, key="accept-1").json() == accepted.json()
    late = post(f"/api/changes/{change['id']}/accept/", {}, provider_auth)
    assert late.status_code == 409 and "already been answered" in late.json()["detail"]

    suspended = post(
        f"/api/packages/{package.pk}/suspend/",
        {"starts_on": day(3).isoformat(), "expected_return_on": day(10).isoformat(), "reason": "hospital"},
        officer_auth,
    )
    assert suspended.status_code == 201 and suspended.json()["status"] == "active"
    resumed = post(f"/api/packages/{package.pk}/resume/", {"resumed_on": day(8).isoformat()}, officer_auth)
    assert resumed.status_code == 200 and resumed.json()["resumed_on"] == day(8).isoformat()
    ended = post(
        f"/api/packages/{package.pk}/end/", {"ended_on": day(20).isoformat(), "reason": "not_needed"}, officer_auth
    )
    assert ended.status_code == 201 and ended.json()["kind"] == "end"
    package.refresh_from_db()
    assert package.status == CarePackage.Status.ENDED
    listed = Client().get(f"/api/packages/{package.pk}/changes/", headers=officer_auth).json()
    assert [c["kind"] for c in listed] == ["variation", "suspension", "end"]


def test_a_provider_system_records_care_started_and_hands_back_once(officer):
    market = make_market(providers=2)
    _package, offer, user = awarded_package(market, officer, started=False)
    auth = api_authorization(user)
    started = post(
        f"/api/offers/{offer.pk}/care-started/", {"started_on": timezone.localdate().isoformat()}, auth, key="s-1"
    )
    assert started.status_code == 200 and started.json()["status"] == "care_started"
    assert (
        post(
            f"/api/offers/{offer.pk}/care-started/", {"started_on": timezone.localdate().isoformat()}, auth, key="s-1"
        ).json()
        == started.json()
    )
    body = {"effective_on": day(14).isoformat(), "reason": "staffing"}
    handed = post(f"/api/offers/{offer.pk}/hand-back/", body, auth, key="hb-1")
    assert handed.status_code == 200 and handed.json()["status"] == "brokering"
    assert post(f"/api/offers/{offer.pk}/hand-back/", body, auth, key="hb-1").json() == handed.json()
    assert HandBack.objects.count() == 1
    again = post(f"/api/offers/{offer.pk}/hand-back/", body, auth)
    assert again.status_code == 409


def test_another_providers_change_is_a_404_and_officers_only_may_vary(live, officer):
    package, _offer, user = live
    change = post(
        f"/api/packages/{package.pk}/vary/",
        {"effective_from": day(1).isoformat(), "visits": LONGER},
        api_authorization(officer),
    ).json()
    stranger = make_market(providers=1).providers[0]
    from tests.factories import make_provider_user

    other = api_authorization(make_provider_user(stranger))
    assert post(f"/api/changes/{change['id']}/accept/", {}, other).status_code == 404
    assert (
        post(
            f"/api/packages/{package.pk}/vary/",
            {"effective_from": day(1).isoformat(), "visits": LONGER},
            api_authorization(user),
        ).status_code
        == 403
    )
    assert Offer.objects.filter(package=package, status="awarded").count() == 1
