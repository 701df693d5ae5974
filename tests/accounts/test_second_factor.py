"""Officers, CCC staff and admins need a code from an authenticator app as well as a password; providers may opt in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecare.accounts.audiences import Audience
from homecare.apitokens.models import ApiToken
from homecare.apitokens.services import api_token_create
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory, current_totp_code

pytestmark = pytest.mark.django_db

CODE_PAGE = "/accounts/sign-in/code/"
SET_UP_PAGE = "/accounts/two-step/set-up/"


def password_only(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/sign-in/", {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_totp_code(device)) + 500_000) % 1_000_000:06d}"


def test_an_officer_with_only_a_password_is_sent_to_the_code_page(officer):
    client = password_only("officer")
    response = client.get("/commissioning/")
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_PAGE}?next=%2Fcommissioning%2F"
    page = client.get(response["Location"]).content.decode()
    assert page.count("<h1") == 1 and "Enter the code from your authenticator app" in page


def test_a_wrong_code_is_refused_and_the_officer_stays_outside(officer):
    client = password_only("officer")
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(f"{CODE_PAGE}?next=/commissioning/", {"code": wrong_code(device)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "The code is not right" in html
    assert client.get("/commissioning/").status_code == 302


def test_the_right_code_admits_the_officer(officer):
    client = password_only("officer")
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(f"{CODE_PAGE}?next=/commissioning/", {"code": current_totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/commissioning/"
    assert client.get("/commissioning/").status_code == 200


def test_a_code_page_does_not_send_people_to_another_site(officer):
    client = password_only("officer")
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(f"{CODE_PAGE}?next=https://evil.example/", {"code": current_totp_code(device)})
    assert response["Location"] == "/"


def test_repeated_wrong_codes_are_throttled(officer):
    client = password_only("officer")
    device = TOTPDevice.objects.get(user=officer)
    client.post(CODE_PAGE, {"code": wrong_code(device)})
    response = client.post(CODE_PAGE, {"code": current_totp_code(device)})  # right, but too soon after a wrong one
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/commissioning/").status_code == 302


def test_an_officer_without_an_authenticator_must_set_one_up_first():
    officer = UserFactory(username="newofficer", audiences=[Audience.OFFICER])
    client = password_only("newofficer")
    response = client.get("/commissioning/")
    assert response.status_code == 302 and response["Location"] == f"{SET_UP_PAGE}?next=%2Fcommissioning%2F"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "Set up two-step verification" in page
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(f"{SET_UP_PAGE}?next=/commissioning/", {"code": current_totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/commissioning/"
    assert client.get("/commissioning/").status_code == 200
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ENABLED, actor=officer).exists()


def test_set_up_refuses_a_wrong_first_code():
    officer = UserFactory(username="newofficer", audiences=[Audience.OFFICER])
    client = password_only("newofficer")
    client.get(SET_UP_PAGE)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(SET_UP_PAGE, {"code": wrong_code(device)})
    assert response.status_code == 200 and "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert client.get("/commissioning/").status_code == 302


def test_ccc_staff_need_a_code_too(ccc_user):
    response = password_only("ccc").get("/ccc/")
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)


def test_a_provider_without_two_step_verification_is_admitted_on_the_password(provider_user):
    client = password_only("provider")
    assert client.get("/portal/").status_code == 200


def test_a_provider_who_turned_it_on_must_give_a_code(provider_user):
    client = password_only("provider")
    response = client.get("/accounts/")
    assert "Turn on" in response.content.decode()
    client.get(SET_UP_PAGE)
    device = TOTPDevice.objects.get(user=provider_user, confirmed=False)
    assert client.post(SET_UP_PAGE, {"code": current_totp_code(device)}).status_code == 302

    later = password_only("provider")
    response = later.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)


def test_a_provider_can_turn_it_off_but_an_officer_cannot(provider_user, officer):
    from tests.conftest import client_for
    from tests.factories import give_totp_device

    give_totp_device(provider_user)
    provider = client_for(provider_user)
    assert provider.post("/accounts/two-step/turn-off/").status_code == 302
    assert not TOTPDevice.objects.filter(user=provider_user).exists()
    assert AuditEvent.objects.filter(action=AuditAction.MFA_DISABLED, actor=provider_user).exists()
    assert client_for(officer).post("/accounts/two-step/turn-off/").status_code == 403


def test_the_api_refuses_a_session_without_the_code_but_accepts_a_token(officer):
    client = password_only("officer")
    response = client.get("/api/providers/")
    assert response.status_code == 403 and "two-step verification code" in response.json()["detail"]
    _, secret = api_token_create(user=officer, name="Case-management system", created_by=officer)
    assert Client().get("/api/providers/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


def test_the_admin_needs_the_code_and_its_login_is_the_service_sign_in():
    admin = UserFactory(username="sysadmin", is_staff=True, is_superuser=True, totp_device=True)
    assert Client().get("/admin/login/?next=/admin/")["Location"] == "/accounts/sign-in/?next=/admin/"
    client = password_only("sysadmin")
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"].startswith(CODE_PAGE)
    device = TOTPDevice.objects.get(user=admin)
    client.post(f"{CODE_PAGE}?next=/admin/", {"code": current_totp_code(device)})
    assert client.get("/admin/").status_code == 200


def test_mfa_can_be_switched_off_for_a_deployment(settings):
    settings.HOMECARE_MFA_REQUIRED = False
    UserFactory(username="newofficer", audiences=[Audience.OFFICER])
    assert password_only("newofficer").get("/commissioning/").status_code == 200


def test_a_password_alone_cannot_mint_an_api_token_to_skip_the_code(officer):
    client = password_only("officer")
    for page in ("/accounts/api-tokens/", "/accounts/api-tokens/new/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE), page
    response = client.post("/accounts/api-tokens/new/", {"name": "Stolen password"})
    assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)
    assert not ApiToken.objects.filter(user=officer).exists()
