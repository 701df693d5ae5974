"""API tokens: hashed, expiring, named, several per user, revocable by their user and by admins."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from homecare.accounts.audiences import Audience
from homecare.apitokens.models import ApiToken
from homecare.apitokens.services import MAX_TOKENS_PER_USER, api_token_create, api_token_revoke
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import ProviderStaff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# An officer-only endpoint: 200 means the token authenticated the officer.
OFFICER_ENDPOINT = "/api/providers/"


def api_get(secret: str, path: str = OFFICER_ENDPOINT) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(path).status_code


def test_a_token_works_until_it_expires_and_is_refused_after(officer, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(days=30)}
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
        assert token.expiry == token.created + timedelta(days=30)
        assert api_get(secret) == 200
        traveller.move_to(token.expiry - timedelta(seconds=1))
        assert api_get(secret) == 200
        traveller.move_to(token.expiry + timedelta(seconds=1))
        assert api_get(secret) == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()  # knox removes it when it meets it expired
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_EXPIRED, target_id=str(token.pk)).exists()


def test_tokens_last_90_days_by_default(officer):
    with time_machine.travel(timezone.now(), tick=False):
        token, _ = api_token_create(user=officer, name="Mosaic", created_by=officer)
    assert token.expiry == token.created + timedelta(days=90)


def test_a_revoked_token_is_refused_at_once(officer):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    assert api_get(secret) == 200
    api_token_revoke(token=token, revoked_by=officer)
    assert api_get(secret) == 401


def test_leaving_the_audience_group_is_refused_at_the_tokens_next_request(officer):
    _, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    assert api_get(secret) == 200
    officer.groups.remove(Group.objects.get(name=Audience.OFFICER.group_name))
    assert api_get(secret) == 403


def test_provider_staff_unlinked_from_their_organisation_are_refused_at_the_tokens_next_request(provider_user):
    _, secret = api_token_create(user=provider_user, name="Rostering", created_by=provider_user)
    assert api_get(secret, "/api/v1/offers/") == 200
    ProviderStaff.objects.filter(user=provider_user).delete()
    assert api_get(secret, "/api/v1/offers/") == 403


def test_a_wrong_secret_with_a_real_tokens_prefix_is_refused(officer):
    _, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    forged = secret[:15] + ("0" if secret[15] != "0" else "1") + secret[16:]
    assert api_get(forged) == 401


def test_the_token_of_a_deactivated_user_is_refused(officer):
    _, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    officer.is_active = False
    officer.save()
    assert api_get(secret) == 401


def test_the_secret_is_not_stored_in_plain_text(officer):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    stored = " ".join(str(value) for value in row.values())
    assert secret not in stored
    # knox keeps the first 15 characters to find the row; the rest (196 random bits) only as a digest.
    assert secret[15:] not in stored
    assert row["digest"] == hashlib.sha512(secret.encode()).hexdigest()
    assert not AuditEvent.objects.filter(data__icontains=secret[15:]).exists()


def test_a_user_may_hold_several_named_tokens_up_to_a_limit(officer):
    secrets = [api_token_create(user=officer, name=f"System {n}", created_by=officer)[1] for n in range(3)]
    assert len(set(secrets)) == 3
    assert all(api_get(secret) == 200 for secret in secrets)
    for n in range(3, MAX_TOKENS_PER_USER):
        api_token_create(user=officer, name=f"System {n}", created_by=officer)
    with pytest.raises(ValidationError, match="Revoke one"):
        api_token_create(user=officer, name="One too many", created_by=officer)


def test_a_token_needs_a_name(officer):
    with pytest.raises(ValidationError, match="Enter a name"):
        api_token_create(user=officer, name="   ", created_by=officer)


def test_each_use_is_noted_at_most_once_a_minute(officer):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    assert token.last_used_at is None
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = timezone.now()
        api_get(secret)
        traveller.shift(timedelta(seconds=30))
        api_get(secret)
        token.refresh_from_db()
        assert token.last_used_at == first
        traveller.shift(timedelta(seconds=31))
        api_get(secret)
        token.refresh_from_db()
        assert token.last_used_at == first + timedelta(seconds=61)


def test_a_provider_token_sees_only_the_provider_api(provider_user):
    _, secret = api_token_create(user=provider_user, name="Rostering system", created_by=provider_user)
    assert api_get(secret, "/api/offers/") == 200
    assert api_get(secret, OFFICER_ENDPOINT) == 403


def test_creating_and_revoking_are_audited_with_who_did_it(officer):
    token, _ = api_token_create(user=officer, name="Mosaic", created_by=officer)
    created = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED)
    assert (created.actor, created.target_id) == (officer, str(token.pk))
    assert created.data["name"] == "Mosaic" and created.data["user"] == "officer"
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    token_id = token.pk
    api_token_revoke(token=token, revoked_by=admin)
    revoked = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert (revoked.actor, revoked.target_id) == (admin, str(token_id))


def test_a_token_created_in_the_shell_is_audited_as_the_system():
    user = UserFactory(audiences=[Audience.OFFICER])
    token, _ = ApiToken.objects.create(user=user, name="Made by hand")
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_CREATED, target_id=str(token.pk))
    assert event.actor is None and event.actor_label == "system"
