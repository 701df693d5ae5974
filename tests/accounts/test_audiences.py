from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

AREAS = ["/commissioning/", "/portal/", "/ccc/"]


@pytest.mark.parametrize("path", AREAS)
def test_anonymous_people_are_sent_to_sign_in(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


@pytest.mark.parametrize(
    ("persona", "own_area"),
    [("officer", "/commissioning/"), ("provider_user", "/portal/"), ("ccc_user", "/ccc/")],
)
def test_each_audience_reaches_its_own_area_and_is_refused_the_others(request, persona, own_area):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(own_area).status_code == 200
    for other in set(AREAS) - {own_area}:
        assert client.get(other).status_code == 403, other


def test_home_sends_a_single_audience_user_to_their_area(officer_client):
    response = officer_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/commissioning/"


def test_provider_group_without_an_organisation_is_refused_the_portal(db):
    from homecare.accounts.audiences import Audience
    from tests.factories import UserFactory

    orphan = UserFactory(audiences=[Audience.PROVIDER])
    assert client_for(orphan).get("/portal/").status_code == 403


def test_sign_in_with_wrong_password_shows_an_error_summary(officer):
    response = Client().post("/accounts/sign-in/", {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content


def test_portal_home_names_the_users_own_provider(provider_client, provider):
    assert provider.name.encode() in provider_client.get("/portal/").content
