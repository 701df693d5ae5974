"""People change their password when signed in, and reset a forgotten one from an emailed link."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-new-passphrase"


def signs_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/sign-in/", {"username": username, "password": password})
    return response.status_code == 302


def test_a_signed_in_person_changes_their_password(provider_user):
    client = client_for(provider_user)
    page = client.get("/accounts/password/change/").content.decode()
    assert page.count("<h1") == 1 and "Change your password" in page
    response = client.post(
        "/accounts/password/change/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/done/"
    assert client.get("/portal/").status_code == 200  # still signed in
    assert signs_in("provider", NEW_PASSWORD) and not signs_in("provider", TEST_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=provider_user).exists()


def test_a_weak_new_password_is_refused_with_an_error_summary(provider_user):
    response = client_for(provider_user).post(
        "/accounts/password/change/",
        {"old_password": TEST_PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "too short" in html
    assert signs_in("provider", TEST_PASSWORD)


def test_changing_a_password_needs_the_second_factor_where_it_is_owed(officer):
    client = Client()
    client.post("/accounts/sign-in/", {"username": "officer", "password": TEST_PASSWORD})
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/code/")


def test_a_reset_request_looks_the_same_whether_or_not_the_address_has_an_account(provider_user):
    known = Client().post("/accounts/password/reset/", {"email": provider_user.email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [provider_user.email]
    page = Client().get("/accounts/password/reset/sent/").content.decode()
    assert "If that address belongs to an account" in page


def test_the_emailed_link_sets_a_new_password_and_lifts_a_lockout(provider_user, settings):
    settings.HOMECARE_SITE_URL = "https://homecare.example.gov.uk"
    for _ in range(5):
        Client().post("/accounts/sign-in/", {"username": "provider", "password": "wrong"}, REMOTE_ADDR="192.0.2.5")
    assert AccessAttempt.objects.exists()
    Client().post("/accounts/password/reset/", {"email": provider_user.email})
    link = re.search(r"https://homecare\.example\.gov\.uk(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert signs_in("provider", NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, actor=provider_user).exists()


def test_a_used_or_forged_reset_link_says_it_does_not_work(db):
    html = Client().get("/accounts/password/reset/MQ/forged-token/").content.decode()
    assert "This reset link does not work" in html and html.count("<h1") == 1
