"""Guessing passwords locks the username and the address for a while (django-axes); admins can unlock, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from homecare.accounts.client_ip import client_ip_meta_precedence
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client: Client, username: str, password: str, **meta: Any):
    return client.post("/accounts/sign-in/", {"username": username, "password": password}, **meta)


def fail(client: Client, username: str, times: int, **meta: Any) -> None:
    for _ in range(times):
        attempt(client, username, "not-the-password", **meta)


def test_five_wrong_passwords_lock_the_account_and_the_page_says_so(provider_user):
    client = Client()
    fail(client, "provider", 4)
    response = attempt(client, "provider", "not-the-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is locked" in html and "Try again in 15 minutes" in html and html.count("<h1") == 1
    response = attempt(client, "provider", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/portal/").status_code == 302


def test_the_lock_holds_for_the_username_from_another_address(provider_user):
    fail(Client(), "provider", 5, REMOTE_ADDR="192.0.2.10")
    assert attempt(Client(), "provider", TEST_PASSWORD, REMOTE_ADDR="192.0.2.99").status_code == 429


def test_one_address_guessing_many_usernames_is_locked(provider_user):
    for n in range(5):
        attempt(Client(), f"guess{n}", "not-the-password", REMOTE_ADDR="192.0.2.10")
    assert attempt(Client(), "provider", TEST_PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 429
    assert attempt(Client(), "provider", TEST_PASSWORD, REMOTE_ADDR="192.0.2.11").status_code == 302


def test_a_successful_sign_in_clears_the_count(provider_user):
    fail(Client(), "provider", 4)
    assert attempt(Client(), "provider", TEST_PASSWORD).status_code == 302
    fail(Client(), "provider", 4)
    assert attempt(Client(), "provider", TEST_PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(provider_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(Client(), "provider", 5)
        assert attempt(Client(), "provider", TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert attempt(Client(), "provider", TEST_PASSWORD).status_code == 302


def test_the_admin_login_goes_through_the_same_locked_door(provider_user):
    fail(Client(), "provider", 5)
    response = Client().get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert attempt(Client(), "provider", TEST_PASSWORD).status_code == 429


def test_an_admin_unlocks_and_the_unlock_is_audited(provider_user):
    fail(Client(), "provider", 5)
    admin = UserFactory(username="sysadmin", is_staff=True, is_superuser=True, totp_device=True)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts
    response = client_for(admin).post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": attempts}, follow=True
    )
    assert response.status_code == 200 and "Unlocked" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_UNLOCKED)
    assert event.actor == admin and event.target_id == str(User.objects.get(username="provider").pk)
    assert attempt(Client(), "provider", TEST_PASSWORD).status_code == 302


def test_deleting_a_lockout_in_the_admin_is_audited_too(provider_user):
    fail(Client(), "provider", 5)
    admin = UserFactory(username="sysadmin", is_staff=True, is_superuser=True, totp_device=True)
    record = AccessAttempt.objects.first()
    assert record is not None
    response = client_for(admin).post(f"/admin/axes/accessattempt/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_UNLOCKED, actor=admin).exists()


def test_a_forwarding_header_is_ignored_unless_configured(provider_user):
    # Without HOMECARE_CLIENT_IP_HEADER, a client's own X-Forwarded-For cannot pick its address.
    for n in range(5):
        attempt(Client(), f"guess{n}", "wrong", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert attempt(Client(), "provider", TEST_PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 429


def test_a_configured_forwarding_header_gives_the_address_the_proxy_saw(provider_user, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = client_ip_meta_precedence("X-Forwarded-For")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(5):  # the spoofed left-hand entries vary; the proxy's own right-hand entry does not
        attempt(Client(), f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 81.2.69.160", **proxy)
    assert attempt(Client(), "provider", TEST_PASSWORD, HTTP_X_FORWARDED_FOR="81.2.69.160", **proxy).status_code == 429
    assert attempt(Client(), "provider", TEST_PASSWORD, HTTP_X_FORWARDED_FOR="81.2.69.161", **proxy).status_code == 302


def test_the_client_ip_header_setting_names_a_request_header():
    assert client_ip_meta_precedence(None) == ("REMOTE_ADDR",)
    assert client_ip_meta_precedence("X-Forwarded-For") == ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    assert client_ip_meta_precedence("HTTP_X_REAL_IP") == ("HTTP_X_REAL_IP", "REMOTE_ADDR")
