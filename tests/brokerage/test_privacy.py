"""Personal data: the access log, retention, subject access, erasure and encryption at rest."""

from __future__ import annotations

import json
from datetime import date, timedelta

import encrypted_model_fields.fields as encrypted_fields
import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from brokerage.models import CarePackage, Offer, PersonDetails, PersonDetailsAccess, PrivacyRun
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.privacy import (
    ErasureRefused,
    person_details_apply_retention,
    person_details_erase,
    person_details_reencrypt,
)
from brokerage.services.responses import offer_accept
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import client_for
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db
SOON = timedelta(days=3)


def brokered(market, officer, **overrides):
    package = package_enter(isa=make_isa(market, **overrides), entered_by=officer).package
    package_broker(package_id=package.pk)
    return package


def awarded(market, officer):
    package = brokered(market, officer)
    winner = market.providers[0]
    user = make_provider_user(winner)
    offer = Offer.objects.get(package=package, provider=winner)
    offer_accept(offer_id=offer.pk, provider_user=user, start_on=timezone.localdate() + SOON)
    return package, offer, user


# --- The access log ------------------------------------------------------------------------------------


def test_each_officer_page_view_writes_one_access_entry_and_the_page_shows_it(officer, officer_client):
    package = brokered(make_market(providers=2), officer)
    page = officer_client.get(f"/commissioning/packages/{package.pk}/").content.decode()
    assert "Edith Crawley" in page
    officer_client.get(f"/commissioning/packages/{package.pk}/")
    entries = list(PersonDetailsAccess.objects.filter(package=package))
    assert len(entries) == 2
    assert {(e.user_id, e.route) for e in entries} == {(officer.pk, PersonDetailsAccess.Route.OFFICER_PAGE)}
    page = officer_client.get(f"/commissioning/packages/{package.pk}/").content.decode()
    assert "Who has seen the person's details" in page
    assert page.count("Officer package page") == 3  # this view is logged before the panel is drawn


def test_the_access_log_is_paged_newest_first_and_downloads_as_csv(officer, officer_client):
    package = brokered(make_market(providers=1), officer)
    for _ in range(25):
        officer_client.get(f"/commissioning/packages/{package.pk}/")
    page_two = officer_client.get(f"/commissioning/packages/{package.pk}/?access_page=2").content.decode()
    assert "Page 2 of 2" in page_two and page_two.count("Officer package page") == 6
    csv = officer_client.get(f"/commissioning/packages/{package.pk}/access-log.csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "When,Who,Provider,Route" and len(lines) == 1 + 26
    assert lines[1] >= lines[-1]  # newest first: timestamps sort descending


def test_the_awarded_provider_is_logged_and_a_provider_not_awarded_sees_nothing_and_logs_nothing(officer):
    market = make_market(providers=2)
    package, offer, winner_user = awarded(market, officer)
    loser_offer = Offer.objects.get(package=package, provider=market.providers[1])
    loser = client_for(make_provider_user(market.providers[1]))
    page = loser.get(f"/portal/offers/{loser_offer.pk}/").content.decode()
    assert "Edith" not in page and not PersonDetailsAccess.objects.exists()
    page = client_for(winner_user).get(f"/portal/offers/{offer.pk}/").content.decode()
    assert "Edith Crawley" in page
    entry = PersonDetailsAccess.objects.get()
    assert entry.route == PersonDetailsAccess.Route.PROVIDER_PORTAL
    assert entry.user == winner_user and entry.provider == market.providers[0]


def test_before_award_the_chosen_provider_sees_nothing_and_nothing_is_logged(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    offer = Offer.objects.get(package=package, provider=market.providers[0])
    client_for(make_provider_user(market.providers[0])).get(f"/portal/offers/{offer.pk}/")
    assert not PersonDetailsAccess.objects.exists()


def test_an_access_entry_cannot_be_changed(officer, officer_client):
    package = brokered(make_market(providers=1), officer)
    officer_client.get(f"/commissioning/packages/{package.pk}/")
    entry = PersonDetailsAccess.objects.get()
    entry.route = PersonDetailsAccess.Route.API
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


# --- Retention -------------------------------------------------------------------------------------------


def ended(package, *, on):
    CarePackage.objects.filter(pk=package.pk).update(status=CarePackage.Status.ENDED, ended_on=on)


def test_retention_anonymises_ended_packages_after_the_agreements_years_and_keeps_the_statistics(officer):
    market = make_market(providers=1)
    old, recent = brokered(market, officer), brokered(market, officer)
    today = timezone.localdate()
    ended(old, on=today.replace(year=today.year - 9))
    ended(recent, on=today.replace(year=today.year - 7))
    run = person_details_apply_retention()
    assert run.counts == {"ended": 1, "cancelled": 0, "drafts": 0}
    person = PersonDetails.objects.get(package=old)
    assert (person.given_name, person.family_name, person.address_line_1, person.phone) == ("", "", "", "")
    assert person.date_of_birth is None and person.birth_year == 1938 and person.mosaic_person_id == ""
    assert person.postcode == "LS6" and person.anonymised_reason == "retention"
    old.refresh_from_db()
    assert old.hours_per_week > 0 and old.visits.count() == 8 and old.postcode_district == "LS6"
    assert PersonDetails.objects.get(package=recent).given_name == "Edith"
    assert AuditEvent.objects.filter(action="person_details.anonymised", target_id=str(old.pk)).count() == 1
    assert AuditEvent.objects.get(action="retention_sweep.finished").data == run.counts


def test_retention_run_twice_anonymises_and_audits_each_package_once(officer):
    market = make_market(providers=1)
    package = brokered(market, officer)
    ended(package, on=date(2000, 1, 1))
    first, second = person_details_apply_retention(), person_details_apply_retention()
    assert first.counts["ended"] == 1 and second.counts["ended"] == 0
    assert AuditEvent.objects.filter(action="person_details.anonymised").count() == 1
    assert AuditEvent.objects.filter(action="retention_sweep.finished").count() == 2


def test_retention_follows_each_agreements_own_periods_for_cancellations_and_drafts(officer, officer_client):
    market = make_market(providers=1)
    market.agreement.retention_after_cancel_days = 30
    market.agreement.retention_draft_days = 10
    market.agreement.save()
    cancelled = brokered(market, officer)
    officer_client.post(f"/commissioning/packages/{cancelled.pk}/cancel/", {"reason": "Moved away"})
    draft = package_enter(isa=make_isa(market), entered_by=officer, submit=False).package
    assert person_details_apply_retention().counts == {"ended": 0, "cancelled": 0, "drafts": 0}
    later = timezone.now() + timedelta(days=31)
    assert person_details_apply_retention(now=later).counts == {"ended": 0, "cancelled": 1, "drafts": 1}
    draft.refresh_from_db()
    assert draft.status == CarePackage.Status.CANCELLED  # an anonymised draft can never be brokered


def test_the_agreement_edit_form_changes_the_retention_periods(officer_client):
    market = make_market(providers=1)
    agreement = market.agreement
    form = officer_client.get(f"/commissioning/agreements/{agreement.pk}/edit/").content.decode()
    assert "Keep personal details after care ends (years)" in form
    data = {
        "name": agreement.name,
        "reference": agreement.reference,
        "procurement_route": agreement.procurement_route,
        "council_name": agreement.council_name,
        "term_start_0": agreement.term_start.day,
        "term_start_1": agreement.term_start.month,
        "term_start_2": agreement.term_start.year,
        "term_end_0": agreement.term_end.day,
        "term_end_1": agreement.term_end.month,
        "term_end_2": agreement.term_end.year,
        "allocation_policy": agreement.allocation_policy,
        "response_window_hours": 24,
        "cascade_offer_timeout_hours": 4,
        "lead_first_refusal_hours": 24,
        "hospital_discharge_hours": 48,
        "urgent_hours": 72,
        "routine_hours": 336,
        "retention_after_end_years": 10,
        "retention_after_cancel_days": 200,
        "retention_draft_days": 60,
        "reason": "Council records policy",
    }
    response = officer_client.post(f"/commissioning/agreements/{agreement.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement.refresh_from_db()
    assert (agreement.retention_after_end_years, agreement.retention_after_cancel_days) == (10, 200)
    assert agreement.retention_draft_days == 60


# --- Erasure ---------------------------------------------------------------------------------------------


def test_erasure_of_an_ended_package_anonymises_at_once_with_the_reason_audited(officer, officer_client):
    package = brokered(make_market(providers=1), officer)
    ended(package, on=timezone.localdate())
    page = officer_client.get(f"/commissioning/packages/{package.pk}/erase/")
    assert page.status_code == 200 and page.content.count(b"<h1") == 1
    response = officer_client.post(f"/commissioning/packages/{package.pk}/erase/", {"reason": "Request of 3 March"})
    assert response.status_code == 302
    assert PersonDetails.objects.get(package=package).anonymised_reason == "erasure"
    event = AuditEvent.objects.get(action="person_details.erased")
    assert event.reason == "Request of 3 March" and event.actor == officer
    page = officer_client.get(f"/commissioning/packages/{package.pk}/").content.decode()
    assert "Edith" not in page and "anonymised on" in page


def test_erasure_while_care_is_in_hand_needs_confirmation_and_a_reason_then_cancels(officer, officer_client):
    market = make_market(providers=2)
    package, offer, provider_user = awarded(market, officer)
    url = f"/commissioning/packages/{package.pk}/erase/"
    refused = officer_client.post(url, {"reason": "Asked to"}).content.decode()
    assert "confirm that the details may be erased" in refused
    with pytest.raises(ErasureRefused, match="at least 20"):
        person_details_erase(package_id=package.pk, erased_by=officer, reason="Asked to", confirm_care_in_hand=True)
    assert PersonDetails.objects.get(package=package).anonymised_at is None
    reason = "The person has moved to Scotland; care ends today"
    assert officer_client.post(url, {"reason": reason, "confirm_care_in_hand": "on"}).status_code == 302
    package.refresh_from_db()
    assert package.status == CarePackage.Status.CANCELLED
    assert "Edith" not in client_for(provider_user).get(f"/portal/offers/{offer.pk}/").content.decode()


def test_providers_cannot_reach_the_privacy_pages(provider_client, officer):
    package = brokered(make_market(providers=1), officer)
    for url in ("/commissioning/packages/subject-access/", f"/commissioning/packages/{package.pk}/erase/"):
        assert provider_client.get(url).status_code == 403
    assert provider_client.get(f"/commissioning/packages/{package.pk}/access-log.csv").status_code == 403


# --- Subject access --------------------------------------------------------------------------------------


def test_a_subject_access_export_finds_every_package_by_mosaic_id_logs_and_audits_it(officer, officer_client):
    market = make_market(providers=1)
    first, second = brokered(market, officer), brokered(market, officer)
    brokered(market, officer, external_reference="OTHER")  # same test person: filtered below by Mosaic id
    PersonDetails.objects.filter(package=brokered(market, officer)).update(mosaic_person_id="M999")
    page = officer_client.post("/commissioning/packages/subject-access/", {"mosaic_person_id": "M999"})
    assert page.status_code == 200 and page.content.decode().count("Edith") == 1
    download = officer_client.post(
        "/commissioning/packages/subject-access/", {"mosaic_person_id": "M123456", "format": "json"}
    )
    document = json.loads(download.content)
    references = [p["reference"] for p in document["packages"]]
    assert first.reference in references and second.reference in references and len(references) == 3
    package = document["packages"][0]
    assert package["person"]["family_name"] == "Crawley" and len(package["visits"]) == 8
    assert package["status_history"] and package["offers"]
    assert package["access_log"][0]["route"] == "Subject access export"
    assert PersonDetailsAccess.objects.filter(route="export").count() == 1 + 3
    event = AuditEvent.objects.filter(action="subject_access.exported").first()
    assert event is not None and event.data["packages"] == 3 and "Crawley" not in json.dumps(event.data)


def test_a_subject_access_export_finds_the_person_by_name_and_date_of_birth(officer, officer_client):
    package = brokered(make_market(providers=1), officer)
    data = {"family_name": " crawley ", "date_of_birth_0": 2, "date_of_birth_1": 5, "date_of_birth_2": 1938}
    document = json.loads(
        officer_client.post("/commissioning/packages/subject-access/", {**data, "format": "json"}).content
    )
    assert [p["reference"] for p in document["packages"]] == [package.reference]
    wrong = {**data, "date_of_birth_0": 3, "format": "json"}
    assert json.loads(officer_client.post("/commissioning/packages/subject-access/", wrong).content)["packages"] == []
    empty = officer_client.post("/commissioning/packages/subject-access/", {})
    assert b"Enter a Mosaic person ID" in empty.content


# --- Encryption at rest ----------------------------------------------------------------------------------


def raw_row(package):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, family_name, date_of_birth, address_line_1, postcode, phone "
            "FROM brokerage_persondetails WHERE package_id = %s",
            [package.pk],
        )
        return cursor.fetchone()


def test_the_stored_columns_hold_no_plaintext(officer):
    package = brokered(make_market(providers=1), officer)
    row = raw_row(package)
    text = " ".join(str(value) for value in row)
    for plain in ("Edith", "Crawley", "1938", "Test Street", "LS6 1AA"):
        assert plain not in text
    assert all(str(value).startswith("gAAAA") for value in row)  # Fernet tokens
    assert PersonDetails.objects.get(package=package).given_name == "Edith"


@pytest.fixture
def key_ring(settings):
    """Reconfigure the field-encryption key ring, as a restart with new HOMECARE_FIELD_ENCRYPTION_KEYS would."""

    def use(keys):
        settings.FIELD_ENCRYPTION_KEY = keys
        encrypted_fields.CRYPTER = encrypted_fields.get_crypter()

    original = list(settings.FIELD_ENCRYPTION_KEY)
    yield use
    use(original)


def test_rotation_moves_every_row_to_the_newest_key_and_keeps_the_person_findable(officer, officer_client, key_ring):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    key_ring([old])
    package = brokered(make_market(providers=1), officer)
    key_ring([new, old])
    call_command("person_details_reencrypt")
    key_ring([new])
    assert PersonDetails.objects.get(package=package).family_name == "Crawley"
    assert Fernet(new.encode()).decrypt(raw_row(package)[1].encode()) == b"Crawley"
    data = {"family_name": "Crawley", "date_of_birth_0": 2, "date_of_birth_1": 5, "date_of_birth_2": 1938}
    found = officer_client.post("/commissioning/packages/subject-access/", {**data, "format": "json"})
    assert len(json.loads(found.content)["packages"]) == 1
    assert PrivacyRun.objects.get(kind="reencryption").counts == {"rows": 1}


def test_rotation_refuses_and_writes_nothing_when_a_key_is_missing(officer, key_ring):
    old = Fernet.generate_key().decode()
    key_ring([old])
    package = brokered(make_market(providers=1), officer)
    before = raw_row(package)
    key_ring([Fernet.generate_key().decode()])
    with pytest.raises(ImproperlyConfigured, match="opens with none of"):
        person_details_reencrypt()
    assert raw_row(package) == before
