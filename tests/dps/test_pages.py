"""DPS pages and API through HTTP: who sees what, drafts, and the officer's pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from dps import services
from dps.models import ApplicationStatus, ProviderApplication
from tests.conftest import client_for
from tests.contracts.factories import AgreementFactory
from tests.dps.factories import make_location, make_open_round, write_boundary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def square_council(settings, tmp_path: Path) -> None:
    settings.HOMECARE_BOUNDARY_FILE = write_boundary(tmp_path)


@pytest.fixture
def draft(provider, provider_user) -> ProviderApplication:
    dps_round = make_open_round(AgreementFactory())
    location = make_location(provider, name="Acme North")
    application = services.application_start(provider_user=provider_user, dps_round=dps_round)
    services.application_save_draft(
        provider_user=provider_user, application=application, location_ids=[location.pk], declarations={}
    )
    return application


def test_the_portal_lists_open_rounds_and_lets_a_provider_start_an_application(provider_client):
    dps_round = make_open_round(AgreementFactory())
    page = provider_client.get(reverse("portal:dps:home")).content.decode()
    assert "Start an application" in page
    response = provider_client.post(reverse("portal:dps:start", args=[dps_round.pk]))
    assert response.status_code == 302
    form = provider_client.get(response["Location"]).content.decode()
    assert "We will pass the whole staff-pay element" in form
    assert form.count("<h1") == 1


def test_saving_a_draft_keeps_it_a_draft(provider_client, draft, provider):
    location = draft.locations.get()
    url = reverse("portal:dps:application", args=[draft.pk])
    response = provider_client.post(
        url, {"locations": [location.pk], "declares_contract_compliance": "on", "action": "Save as draft"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.declares_contract_compliance and not draft.declares_fee_rates_accepted


def test_submitting_without_a_location_shows_the_error_and_keeps_the_draft(provider_client, draft):
    url = reverse("portal:dps:application", args=[draft.pk])
    response = provider_client.post(url, {"action": "Submit application"})
    assert response.status_code == 400
    assert "Choose at least one CQC location before submitting." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_another_provider_cannot_see_an_application(other_provider_user, draft):
    client = client_for(other_provider_user)
    assert client.get(reverse("portal:dps:application", args=[draft.pk])).status_code == 404
    assert client.get(reverse("api-dps-application-detail", args=[draft.pk])).status_code == 404


def test_officers_do_not_see_drafts_but_see_submitted_applications(officer_client, provider_user, draft):
    url = reverse("commissioning:dps:application_detail", args=[draft.pk])
    assert officer_client.get(url).status_code == 404
    services.application_submit(provider_user=provider_user, application=draft)
    page = officer_client.get(url).content.decode()
    assert "This declaration was not made." in page
    assert page.count(">Fail<") == 3 and page.count(">Pass<") == 3
    round_page = officer_client.get(reverse("commissioning:dps:round_detail", args=[draft.dps_round_id])).content
    assert b"Acme Home Care Ltd" in round_page


def test_provider_staff_cannot_open_officer_pages(provider_client, draft):
    assert provider_client.get(reverse("commissioning:dps:round_list")).status_code == 403
    assert (
        provider_client.get(reverse("commissioning:dps:decision_record_csv", args=[draft.dps_round_id])).status_code
        == 403
    )


def test_the_api_shows_officers_submitted_applications_and_providers_their_own(
    officer_client, provider_client, provider_user, draft
):
    url = reverse("api-dps-application-list")
    assert officer_client.get(url).json()["count"] == 0
    assert provider_client.get(url).json()["count"] == 1
    services.application_submit(provider_user=provider_user, application=draft)
    results = officer_client.get(url, {"status": "submitted"}).json()["results"]
    assert [r["provider_name"] for r in results] == ["Acme Home Care Ltd"]
    assert len(results[0]["criterion_results"]) == 6
    rounds = provider_client.get(reverse("api-dps-round-list"), {"status": "open"}).json()
    assert rounds["count"] == 1


def test_an_officer_reschedules_a_scheduled_round_with_a_reason(officer_client, officer):
    agreement = AgreementFactory()
    services.rounds_generate(actor=officer, agreement=agreement)
    dps_round = agreement.dps_rounds.get(number=1)
    url = reverse("commissioning:dps:round_reschedule", args=[dps_round.pk])
    data = {
        "opens_on_0": "6",
        "opens_on_1": "5",
        "opens_on_2": "2024",
        "closes_on_0": "3",
        "closes_on_1": "6",
        "closes_on_2": "2024",
        "reason": "Bank holiday",
    }
    assert officer_client.post(url, data).status_code == 302
    dps_round.refresh_from_db()
    assert timezone.localtime(dps_round.opens_at).isoformat() == "2024-05-06T00:00:00+01:00"


def test_the_officer_round_pages_and_letters_render(officer, officer_client, provider_user, draft):
    services.application_submit(provider_user=provider_user, application=draft)
    services.application_decide(
        officer=officer,
        application=draft,
        outcome="reject",
        reasons="Two declarations are missing.",
    )
    round_id = draft.dps_round_id
    for url in (
        reverse("commissioning:dps:round_list"),
        reverse("commissioning:dps:round_detail", args=[round_id]),
        reverse("commissioning:dps:round_reschedule", args=[round_id]),
        reverse("commissioning:dps:decision_record", args=[round_id]),
        reverse("commissioning:dps:letter", args=[draft.pk]),
    ):
        response = officer_client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url
    letter = officer_client.get(reverse("commissioning:dps:letter", args=[draft.pk])).content.decode()
    assert "has not been successful" in letter and "Two declarations are missing." in letter


def test_a_provider_reads_its_own_decision_letter(officer, provider_user, provider_client, draft):
    services.application_submit(provider_user=provider_user, application=draft)
    services.application_decide(officer=officer, application=draft, outcome="reject", reasons="Declarations missing.")
    page = provider_client.get(reverse("portal:dps:application", args=[draft.pk])).content.decode()
    assert "Read your letter" in page
    text = provider_client.get(reverse("portal:dps:letter_txt", args=[draft.pk])).content.decode()
    assert "Declaration: pass on the staff-pay element: This declaration was not made." in text
