"""The API tokens page: each person lists, creates (secret shown once) and revokes their own tokens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from homecare.apitokens.models import ApiToken
from homecare.apitokens.services import api_token_create
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LIST = "/accounts/api-tokens/"
CREATE = "/accounts/api-tokens/new/"


def shown_secret(html: str) -> str:
    match = re.search(r'data-testid="api-token-secret">([0-9a-f]{64})<', html)
    assert match, "the page shows no token"
    return match.group(1)


def works(secret: str, path: str = "/api/providers/") -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(path).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client):
    for path in (LIST, CREATE, "/accounts/api-tokens/1/revoke/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_creating_a_token_shows_its_secret_once_and_it_works(officer_client):
    response = officer_client.post(CREATE, {"name": "Mosaic live interface"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "govuk-panel--confirmation" in html and "You will not be able to see it again" in html
    secret = shown_secret(html)
    assert works(secret)
    listing = officer_client.get(LIST).content.decode()
    assert "Mosaic live interface" in listing and secret[:8] in listing
    assert secret not in listing


def test_the_list_shows_name_dates_and_use_but_only_the_users_own_tokens(officer_client, officer, provider_user):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    api_token_create(user=provider_user, name="Rostering system", created_by=provider_user)
    works(secret)
    html = officer_client.get(LIST).content.decode()
    assert "Mosaic" in html and "Rostering system" not in html
    token.refresh_from_db()
    assert f"{token.expiry:%Y}" in html and "Not used yet" not in html


def test_a_blank_name_is_shown_in_an_error_summary(officer_client):
    response = officer_client.post(CREATE, {"name": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html and "Enter a name for the token" in html
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page_stops_the_token(officer_client, officer):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    confirm = officer_client.get(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and "Revoke the API token “Mosaic”?" in confirm.content.decode()
    response = officer_client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not works(secret)
    assert AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED).actor == officer


def test_a_user_cannot_revoke_someone_elses_token(provider_user, officer):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    provider_client = client_for(provider_user)
    assert provider_client.get(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert provider_client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert works(secret)
    assert not AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).exists()


def test_provider_staff_can_make_a_token_for_their_own_system(provider_client):
    html = provider_client.post(CREATE, {"name": "Rostering system"}).content.decode()
    secret = shown_secret(html)
    assert works(secret, "/api/offers/")


def test_every_signed_in_page_links_to_the_tokens_page(officer_client):
    assert f'href="{LIST}"' in officer_client.get("/commissioning/").content.decode()


def test_admins_see_and_revoke_anyones_tokens_in_the_admin(officer):
    token, secret = api_token_create(user=officer, name="Mosaic", created_by=officer)
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    admin_client = client_for(admin)
    changelist = admin_client.get("/admin/apitokens/apitoken/").content.decode()
    assert "Mosaic" in changelist and secret[:8] in changelist and secret not in changelist
    assert admin_client.get("/admin/apitokens/apitoken/add/").status_code == 403
    response = admin_client.post(f"/admin/apitokens/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not works(secret)
    event = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert event.actor == admin and event.data["user"] == "officer"


def test_admins_revoke_several_tokens_at_once_each_audited(officer):
    tokens = [api_token_create(user=officer, name=f"System {n}", created_by=officer)[0] for n in range(3)]
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    response = client_for(admin).post(
        "/admin/apitokens/apitoken/",
        {"action": "delete_selected", "_selected_action": [t.pk for t in tokens], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED, actor=admin).count() == 3
