"""Officer and provider-portal pages for brokerage, driven over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brokerage.models import CarePackage, Offer, ProviderCapacity
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from tests.brokerage.factories import make_isa, make_market
from tests.brokerage.test_import import as_csv, row
from tests.conftest import client_for
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def brokered(market, officer):
    package = package_enter(isa=make_isa(market), entered_by=officer).package
    package_broker(package_id=package.pk)
    return package


def form_data(market, **overrides):
    start = timezone.localdate() + timedelta(days=5)
    data = {
        "agreement": market.agreement.pk,
        "given_name": "Joan",
        "family_name": "Pickard",
        "address_line_1": "3 Test Lane",
        "postcode": "LS6 1AA",
        "requested_start_on_0": start.day,
        "requested_start_on_1": start.month,
        "requested_start_on_2": start.year,
        "urgency": "routine",
        "carer_gender": "any",
        "funding": "council",
        "required_skills": ["dementia"],
        "visits-TOTAL_FORMS": "3",
        "visits-INITIAL_FORMS": "0",
        "visits-MIN_NUM_FORMS": "1",
        "visits-MAX_NUM_FORMS": "42",
        "visits-0-day_of_week": "0",
        "visits-0-window_start": "08:00",
        "visits-0-window_end": "09:00",
        "visits-0-duration_minutes": "30",
        "visits-0-carers": "2",
    }
    data.update(overrides)
    return data


def test_an_officer_enters_a_package_with_its_visits_and_it_goes_to_market(officer_client):
    market = make_market(providers=2)
    page = officer_client.get("/commissioning/packages/new/")
    assert page.status_code == 200 and page.content.count(b"<h1") == 1
    response = officer_client.post("/commissioning/packages/new/", form_data(market))
    package = CarePackage.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/commissioning/packages/{package.pk}/"
    assert package.status == "brokering" and package.hours_per_week == 1
    assert package.visits.get().carers == 2


def test_errors_on_the_package_form_are_summarised_and_nothing_is_saved(officer_client):
    market = make_market(providers=1)
    response = officer_client.post(
        "/commissioning/packages/new/",
        form_data(market, postcode="ZZ9 9ZZ", **{"visits-0-window_end": "07:00"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Visit 1" in body
    assert CarePackage.objects.count() == 0


def test_a_draft_can_be_saved_and_submitted_later(officer_client):
    market = make_market(providers=1)
    officer_client.post("/commissioning/packages/new/", form_data(market, draft="1"))
    package = CarePackage.objects.get()
    assert package.status == "draft"
    officer_client.post(f"/commissioning/packages/{package.pk}/submit/")
    package.refresh_from_db()
    assert package.status == "brokering"


def test_the_package_page_shows_history_offers_and_every_providers_explanation(officer, officer_client):
    market = make_market(providers=3)
    package = brokered(market, officer)
    body = officer_client.get(f"/commissioning/packages/{package.pk}/").content.decode()
    for provider in market.providers:
        assert provider.name in body
    assert "Status history" in body and "Rankings" in body and "Edith" in body
    assert "1st of 3 eligible" in body


def test_an_officer_awards_manually_with_a_recorded_reason_and_can_cancel(officer, officer_client):
    market = make_market(providers=2)
    package = brokered(market, officer)
    chosen = market.providers[1]
    response = officer_client.post(
        f"/commissioning/packages/{package.pk}/award/by-hand/",
        {"provider": chosen.pk, "reason": "Agreed by phone with the family"},
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.awarded_provider == chosen
    assert package.status_changes.get(to_status="awarded").reason == "Agreed by phone with the family"
    officer_client.post(f"/commissioning/packages/{package.pk}/cancel/", {"reason": "Moved away"})
    package.refresh_from_db()
    assert package.status == "cancelled"


def test_the_package_list_filters_by_status(officer, officer_client):
    market = make_market(providers=1)
    package = brokered(market, officer)
    assert package.reference.encode() in officer_client.get("/commissioning/packages/?status=brokering").content
    assert package.reference.encode() not in officer_client.get("/commissioning/packages/?status=awarded").content


def test_the_csv_upload_page_reports_row_errors_and_imports_a_clean_file(officer_client):
    market = make_market(providers=1)
    bad = SimpleUploadedFile("p.csv", as_csv([row(market, postcode="nowhere")]).encode())
    response = officer_client.post("/commissioning/packages/import/", {"file": bad})
    assert b"Nothing was imported" in response.content and CarePackage.objects.count() == 0
    good = SimpleUploadedFile("p.csv", as_csv([row(market)]).encode())
    assert officer_client.post("/commissioning/packages/import/", {"file": good}).status_code == 302
    assert CarePackage.objects.count() == 1


def test_providers_and_ccc_cannot_reach_officer_package_pages(provider_client, ccc_client):
    assert provider_client.get("/commissioning/packages/").status_code == 403
    assert ccc_client.get("/commissioning/packages/new/").status_code == 403


def test_a_provider_sees_only_the_district_until_award_and_then_the_person(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    first = market.providers[0]
    client = client_for(make_provider_user(first))
    offer = Offer.objects.get(package=package, provider=first)
    before = client.get(f"/portal/offers/{offer.pk}/").content.decode()
    assert "LS6" in before and "Edith" not in before and "1 Test Street" not in before
    assert "Your position: 1st of 2" in before
    assert market.providers[1].name not in before
    start = timezone.localdate() + timedelta(days=3)
    response = client.post(
        f"/portal/offers/{offer.pk}/accept/",
        {"accept-start_on_0": start.day, "accept-start_on_1": start.month, "accept-start_on_2": start.year},
    )
    assert response.status_code == 302
    after = client.get(f"/portal/offers/{offer.pk}/").content.decode()
    assert "Edith Crawley" in after and "1 Test Street" in after
    today = timezone.localdate()
    client.post(
        f"/portal/offers/{offer.pk}/care-started/",
        {"started-started_on_0": today.day, "started-started_on_1": today.month, "started-started_on_2": today.year},
    )
    package.refresh_from_db()
    assert package.status == "care_started" and package.care_started_on == today


def test_a_provider_cannot_open_another_providers_offer(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    others = Offer.objects.get(package=package, provider=market.providers[1])
    client = client_for(make_provider_user(market.providers[0]))
    assert client.get(f"/portal/offers/{others.pk}/").status_code == 404
    assert client.post(f"/portal/offers/{others.pk}/decline/", {"decline-reason": "no_capacity"}).status_code == 404


def test_the_loser_of_a_race_is_told_clearly(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    first, second = market.providers
    start = timezone.localdate() + timedelta(days=3)
    fields = {"accept-start_on_0": start.day, "accept-start_on_1": start.month, "accept-start_on_2": start.year}
    client_for(make_provider_user(first)).post(
        f"/portal/offers/{Offer.objects.get(package=package, provider=first).pk}/accept/", fields
    )
    loser = client_for(make_provider_user(second))
    url = f"/portal/offers/{Offer.objects.get(package=package, provider=second).pk}/accept/"
    page = loser.post(url, fields, follow=True).content.decode()
    assert "already been awarded to another provider" in page


def test_a_decline_without_a_reason_shows_an_error_summary(officer):
    market = make_market(providers=1)
    package = brokered(market, officer)
    offer = Offer.objects.get(package=package)
    client = client_for(make_provider_user(market.providers[0]))
    response = client.post(f"/portal/offers/{offer.pk}/decline/", {})
    assert response.status_code == 400 and b"There is a problem" in response.content


def test_a_provider_hands_back_through_the_portal(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    first = market.providers[0]
    client = client_for(make_provider_user(first))
    offer = Offer.objects.get(package=package, provider=first)
    start = timezone.localdate() + timedelta(days=3)
    client.post(
        f"/portal/offers/{offer.pk}/accept/",
        {"accept-start_on_0": start.day, "accept-start_on_1": start.month, "accept-start_on_2": start.year},
    )
    end = timezone.localdate() + timedelta(days=28)
    response = client.post(
        f"/portal/offers/{offer.pk}/hand-back/",
        {"effective_on_0": end.day, "effective_on_1": end.month, "effective_on_2": end.year, "reason": "staffing"},
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.status == "brokering" and package.round_number == 2


def test_a_provider_keeps_its_capacity_current(provider, provider_client):
    market = make_market(providers=1)
    page = provider_client.get("/portal/offers/capacity/")
    assert page.status_code == 200
    response = provider_client.post(
        "/portal/offers/capacity/",
        {
            "areas-TOTAL_FORMS": "1",
            "areas-INITIAL_FORMS": "1",
            "areas-0-area_id": market.area.pk,
            "areas-0-hours": "42.5",
            "double_handed": "on",
            "lead_time_days": "2",
            "skills": ["dementia", "hoist"],
            "languages": "english, urdu",
            "carer_genders": ["female"],
            "visits_from": "07:00",
            "visits_until": "21:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    capacity = ProviderCapacity.objects.get(provider=provider)
    assert str(capacity.hours_available_per_week) == "42.50"
    assert provider.capabilities.languages == ["English", "Urdu"]


def test_the_admin_lists_packages_read_only(db, officer):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    market = make_market(providers=1)
    package = brokered(market, officer)
    client = client_for(admin_user)
    assert client.get("/admin/brokerage/carepackage/").status_code == 200
    assert client.get(f"/admin/brokerage/carepackage/{package.pk}/change/").status_code == 200
    assert client.get("/admin/brokerage/carepackage/add/").status_code == 403


def test_a_provider_reads_the_needs_by_their_names_not_their_codes(officer):
    market = make_market(providers=1)
    package = package_enter(
        isa=make_isa(market, required_skills=("end_of_life", "dementia")), entered_by=officer
    ).package
    package_broker(package_id=package.pk)
    offer = Offer.objects.get(package=package, provider=market.providers[0])
    page = client_for(make_provider_user(market.providers[0])).get(f"/portal/offers/{offer.pk}/").content.decode()
    assert "Dementia, End of life care" in page
    assert "end_of_life" not in page.lower().replace("end of life", "")
