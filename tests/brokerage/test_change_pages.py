"""The officer, CCC and provider portal pages for changes after award, through HTTP as each persona."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from brokerage.models import CarePackage, PackageChange
from homecare.queue import enqueue_suspended
from tests.brokerage.changes_helpers import awarded_package, day
from tests.brokerage.factories import make_market
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet():
    with enqueue_suspended():
        yield


def _date(name: str, value: date) -> dict[str, Any]:
    return {f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year}


def _visits(minutes: int) -> dict[str, Any]:
    rows: dict[str, Any] = {
        "visits-TOTAL_FORMS": 7, "visits-INITIAL_FORMS": 0, "visits-MIN_NUM_FORMS": 1, "visits-MAX_NUM_FORMS": 42,
    }  # fmt: skip
    for index in range(7):
        rows |= {
            f"visits-{index}-day_of_week": index,
            f"visits-{index}-window_start": "08:00",
            f"visits-{index}-window_end": "10:00",
            f"visits-{index}-duration_minutes": minutes,
            f"visits-{index}-carers": 1,
        }
    return rows


@pytest.fixture
def live(officer):
    market = make_market(providers=2)
    return awarded_package(market, officer)


def test_an_officer_varies_the_care_and_the_provider_accepts_in_the_portal(live, officer):
    package, _offer, user = live
    officer_client = client_for(officer)
    assert officer_client.get(f"/commissioning/packages/{package.pk}/changes/").status_code == 200
    form = officer_client.get(f"/commissioning/packages/{package.pk}/vary/")
    assert form.status_code == 200 and 'value="60"' in form.content.decode()  # the current visits, to edit
    response = officer_client.post(
        f"/commissioning/packages/{package.pk}/vary/",
        {
            **_date("effective_from", day(2)),
            "respond_within_hours": 48,
            "note": "Longer calls",
            "required_skills": ["dementia", "hoist"],
            "carer_gender": "female",
            **_visits(90),
        },
    )
    assert response.status_code == 302, response.content.decode()
    change = PackageChange.objects.get(package=package)
    assert change.pattern["required_skills"] == ["dementia", "hoist"] and change.pattern["carer_gender"] == "female"
    portal = client_for(user)
    listing = portal.get("/portal/offers/changes/")
    assert f"/portal/offers/changes/{change.pk}/" in listing.content.decode()
    page = portal.get(f"/portal/offers/changes/{change.pk}/")
    assert page.status_code == 200 and "90 minutes" in page.content.decode()
    assert portal.post(f"/portal/offers/changes/{change.pk}/", {"answer": "accept", "note": ""}).status_code == 302
    change.refresh_from_db()
    assert change.status == "accepted"


def test_a_variation_to_four_calls_a_day_is_built_with_the_rows_buttons_without_javascript(live, officer):
    package, _offer, _user = live
    officer_client = client_for(officer)
    url = f"/commissioning/packages/{package.pk}/vary/"
    details = {
        **_date("effective_from", day(2)),
        "respond_within_hours": 48,
        "note": "More calls",
        "carer_gender": "any",
    }
    # A pattern button comes back with 28 rows and saves nothing; then the officer adds a row and removes it.
    page = officer_client.post(url, {**details, **_visits(60), "visits-pattern": "four_a_day"})
    assert page.status_code == 200 and not PackageChange.objects.exists()
    rows = page.context["visits"]
    assert rows.total_form_count() == 28 and "Visits set to four calls a day" in page.content.decode()
    posted = {
        f"visits-{index}-{name}": form[name].value() for index, form in enumerate(rows.forms) for name in form.fields
    }
    management = {"visits-TOTAL_FORMS": 28, "visits-INITIAL_FORMS": 0, "visits-MIN_NUM_FORMS": 1}
    added = officer_client.post(url, {**details, **posted, **management, "visits-add": "1"})
    assert added.context["visits"].total_form_count() == 29 and not PackageChange.objects.exists()
    response = officer_client.post(url, {**details, **posted, **management})
    assert response.status_code == 302, response.content.decode()
    change = PackageChange.objects.get(package=package)
    assert len(change.pattern["visits"]) == 28


def test_declining_in_the_portal_needs_a_reason(live, officer):
    package, _offer, user = live
    client_for(officer).post(
        f"/commissioning/packages/{package.pk}/vary/",
        {**_date("effective_from", day(2)), "respond_within_hours": 48, "carer_gender": "any", **_visits(90)},
    )
    change = PackageChange.objects.get(package=package)
    page = client_for(user).post(f"/portal/offers/changes/{change.pk}/", {"answer": "decline", "note": ""})
    assert page.status_code == 400 and "Say why you cannot deliver the new care." in page.content.decode()
    change.refresh_from_db()
    assert change.status == "proposed"


def test_an_officer_suspends_resumes_reviews_and_ends(live, officer):
    package, _offer, _user = live
    client = client_for(officer)
    base = f"/commissioning/packages/{package.pk}"
    assert client.post(f"{base}/suspend/", {**_date("starts_on", day(1)), "reason": "holiday"}).status_code == 302
    assert client.post(f"{base}/resume/", _date("resumed_on", day(5))).status_code == 302
    assert client.post(f"{base}/review/", _date("reviewed_on", day(0))).status_code == 302
    bad = client.post(f"{base}/end/", {**_date("ended_on", day(3))})
    assert bad.status_code == 200 and "Why does care end?" in bad.content.decode()
    assert client.post(f"{base}/end/", {**_date("ended_on", day(3)), "reason": "moved_away"}).status_code == 302
    package.refresh_from_db()
    assert package.status == CarePackage.Status.ENDED
    kinds = list(PackageChange.objects.filter(package=package).order_by("id").values_list("kind", "status"))
    assert kinds == [("suspension", "resumed"), ("review", "completed"), ("end", "completed")]
    changes_page = client.get(f"{base}/changes/").content.decode()
    assert "Care resumed" in changes_page and "Completed" in changes_page


def test_a_provider_asks_for_more_time_and_an_officer_approves(live, officer):
    _package, offer, user = live
    portal = client_for(user)
    assert portal.get(f"/portal/offers/{offer.pk}/request-change/").status_code == 200
    sent = portal.post(
        f"/portal/offers/{offer.pk}/request-change/",
        {"note": "Needs more time at breakfast", **_visits(75)},
    )
    assert sent.status_code == 302, sent.content.decode()
    request = PackageChange.objects.get(kind="request")
    client = client_for(officer)
    assert request.package.reference in client.get("/commissioning/packages/requests/").content.decode()
    decided = client.post(
        f"/commissioning/packages/changes/{request.pk}/decide/",
        {"decision": "approve", **_date("effective_from", day(1)), "visits-TOTAL_FORMS": 0, "visits-INITIAL_FORMS": 0},
    )
    assert decided.status_code == 302, decided.content.decode()
    request.refresh_from_db()
    assert request.status == "approved"
    assert PackageChange.objects.get(kind="variation").status == "accepted"


def test_reviews_due_and_the_ccc_list(live, officer, ccc_user):
    package, _offer, _user = live
    CarePackage.objects.filter(pk=package.pk).update(review_on=day(0))
    assert package.reference in client_for(officer).get("/commissioning/packages/reviews-due/").content.decode()
    client_for(officer).post(
        f"/commissioning/packages/{package.pk}/suspend/", {**_date("starts_on", day(1)), "reason": "hospital"}
    )
    ccc = client_for(ccc_user).get("/ccc/changes/")
    assert ccc.status_code == 200 and package.reference in ccc.content.decode()
    assert client_for(ccc_user).get("/ccc/changes/?kind=end").content.decode().count(package.reference) == 0


def test_other_audiences_are_refused(live, ccc_user):
    package, _offer, user = live
    assert client_for(user).get(f"/commissioning/packages/{package.pk}/vary/").status_code == 403
    assert client_for(ccc_user).get(f"/commissioning/packages/{package.pk}/vary/").status_code == 403


def test_the_agreement_form_sets_the_suspension_retainer(officer):
    from tests.brokerage.factories import make_market

    agreement = make_market(providers=1).agreement
    page = client_for(officer).get(f"/commissioning/agreements/{agreement.pk}/edit/")
    assert page.status_code == 200 and "Suspension retainer (days)" in page.content.decode()
