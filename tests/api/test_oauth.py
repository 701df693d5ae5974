"""Systems sign in with OAuth2 client credentials, act as their application's system account, within scopes."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import Application

from brokerage.models import Offer
from brokerage.services.brokering import package_broker
from homecare.accounts.audiences import Audience
from tests.brokerage.factories import make_market
from tests.brokerage.test_api import payload
from tests.factories import UserFactory, make_provider_user

pytestmark = pytest.mark.django_db

SECRET = "a-client-secret-of-some-length-0123456789"


def _application(owner: Any, name: str) -> Application:
    application: Application = Application.objects.create(
        name=name,
        user=owner,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=SECRET,  # hashed when saved; the system keeps the plain secret
    )
    return application


def _token(application: Application, scope: str) -> str:
    basic = base64.b64encode(f"{application.client_id}:{SECRET}".encode()).decode()
    answer = Client().post(
        "/o/token/", {"grant_type": "client_credentials", "scope": scope}, headers={"Authorization": f"Basic {basic}"}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["scope"] == scope
    return str(body["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_mosaic_posts_a_referral_with_a_client_credentials_token_as_its_system_account() -> None:
    market = make_market(providers=2)
    mosaic = _application(UserFactory(username="mosaic-system", audiences=[Audience.OFFICER]), "Mosaic")
    client = Client()
    token = _token(mosaic, "read referrals")
    created = client.post(
        "/api/v1/packages/", payload(market, external_reference="OAUTH-1"), content_type="application/json",
        headers=_bearer(token),
    )  # fmt: skip
    assert created.status_code == 201, created.content
    listed = client.get("/api/v1/packages/", {"external_reference": "OAUTH-1"}, headers=_bearer(token))
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]

    read_only = _token(mosaic, "read")
    refused = client.post(
        "/api/v1/packages/", payload(market, external_reference="OAUTH-2"), content_type="application/json",
        headers=_bearer(read_only),
    )  # fmt: skip
    assert refused.status_code == 403 and "referrals" in refused.json()["detail"]
    assert client.get("/api/v1/packages/", headers=_bearer("not-a-token")).status_code == 401


def test_a_rostering_system_answers_only_its_providers_offers_and_only_with_the_offers_scope() -> None:
    market = make_market(providers=2)
    officer = UserFactory(username="officer2", audiences=[Audience.OFFICER])
    package_id = Client().post(
        "/api/v1/packages/", payload(market), content_type="application/json",
        headers=_bearer(_token(_application(officer, "Mosaic"), "referrals")),
    ).json()["id"]  # fmt: skip
    package_broker(package_id=package_id)
    roster = _application(make_provider_user(market.providers[0], username="aire-roster"), "Aire rostering")
    mine = Offer.objects.get(package_id=package_id, provider=market.providers[0])
    theirs = Offer.objects.get(package_id=package_id, provider=market.providers[1])
    client = Client()
    read = _token(roster, "read")
    assert [row["id"] for row in client.get("/api/v1/offers/", headers=_bearer(read)).json()["results"]] == [mine.pk]
    assert (
        client.post(f"/api/v1/offers/{mine.pk}/decline/", {"reason": "no_capacity"}, headers=_bearer(read)).status_code
        == 403
    )
    answering = _token(roster, "read offers")
    assert (
        client.post(
            f"/api/v1/offers/{theirs.pk}/decline/", {"reason": "no_capacity"}, headers=_bearer(answering)
        ).status_code
        == 404
    )
    declined = client.post(f"/api/v1/offers/{mine.pk}/decline/", {"reason": "no_capacity"}, headers=_bearer(answering))
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    # Posting a referral is no offers-scope write, whatever the system account could do.
    assert client.post("/api/v1/packages/", payload(market), content_type="application/json",
                       headers=_bearer(answering)).status_code == 403  # fmt: skip


def test_an_application_whose_system_account_is_deactivated_is_refused() -> None:
    owner = UserFactory(username="gone", audiences=[Audience.OFFICER])
    token = _token(_application(owner, "Old Mosaic"), "read")
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert Client().get("/api/v1/packages/", headers=_bearer(token)).status_code == 401
