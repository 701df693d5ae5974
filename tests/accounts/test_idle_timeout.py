"""A session left alone for DJANGO_SESSION_IDLE_TIMEOUT is signed out; DJANGO_SESSION_COOKIE_AGE stays the limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from homecare.accounts.middleware import BACKGROUND_REFRESH_HEADER
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_idle_session_is_signed_out_with_a_clear_message(provider_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(provider_user)
        assert client.get("/portal/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get("/portal/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/sign-in/")
    assert "You were signed out after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive(provider_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(provider_user)
    for minutes in (20, 40, 60, 80):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/portal/").status_code == 200


def test_a_page_refreshing_itself_is_not_activity(provider_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(provider_user)
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert client.get("/portal/", headers={BACKGROUND_REFRESH_HEADER: "1"}).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert client.get("/portal/").status_code == 302


def test_the_absolute_limit_holds_however_active_the_person_is(provider_user, settings):
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(provider_user)
    for minutes in range(20, 120, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/portal/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=125), tick=False):
        response = client.get("/portal/", follow=True)
    assert "signed in more than 2 hours ago" in response.content.decode()


def test_the_idle_limit_follows_the_setting(provider_user, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_for(provider_user)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        response = client.get("/portal/", follow=True)
    assert "after 5 minutes without activity" in response.content.decode()


def test_the_ccc_dashboards_own_refreshes_say_they_are_not_a_persons_activity(ccc_user):
    page = client_for(ccc_user).get("/ccc/").content.decode()
    polling = page.count('hx-trigger="every ')
    assert polling >= 2
    assert page.count(f'hx-headers=\'{{"{BACKGROUND_REFRESH_HEADER}": "1"}}\'') == polling
