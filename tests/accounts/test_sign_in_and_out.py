"""Signing in lands each person in their own area; signing out ends the session."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts.audiences import Audience
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, UserFactory, current_totp_code

pytestmark = pytest.mark.django_db


def test_signing_in_returns_to_the_page_that_asked_for_it(officer):
    client = Client()
    response = client.post(
        "/accounts/sign-in/",
        {"username": "officer", "password": TEST_PASSWORD, "next": "/commissioning/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/code/?next=%2Fcommissioning%2F"  # the officer's second step
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(response["Location"], {"code": current_totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/commissioning/"


def test_signing_out_needs_a_post_and_ends_the_session(officer_client):
    assert officer_client.get("/accounts/sign-out/").status_code == 405  # a link cannot sign you out
    response = officer_client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert officer_client.get("/commissioning/").status_code == 302  # back to sign-in


def test_someone_in_two_audiences_chooses_where_to_go():
    user = UserFactory(audiences=[Audience.OFFICER, Audience.CCC])
    response = client_for(user).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/commissioning/"' in html and 'href="/ccc/"' in html


def test_a_system_administrator_without_an_audience_goes_to_the_admin():
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(admin).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_person_with_no_audience_is_told_to_ask_for_access():
    response = client_for(UserFactory()).get("/")
    assert response.status_code == 200
    assert "has not been given access" in response.content.decode()


def test_each_audience_sees_only_its_own_navigation(officer_client, ccc_client, provider_client):
    officer_html = officer_client.get("/commissioning/").content.decode()
    ccc_html = ccc_client.get("/ccc/").content.decode()
    portal_html = provider_client.get("/portal/").content.decode()
    assert "Homecare brokerage: Commissioning" in officer_html and 'href="/ccc/"' not in officer_html
    assert "Homecare brokerage: Care Communications Centre" in ccc_html and 'href="/commissioning/"' not in ccc_html
    assert "Homecare brokerage: Provider portal" in portal_html and 'href="/commissioning/"' not in portal_html
