"""Every demo provider can sign in to the portal, so a newcomer can answer an offer as whichever provider got it."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper
from django.test import Client

from demo.provider_logins import DEMO_PROVIDER_PASSWORD, load_demo_provider_logins
from demo.steps import DEMO_STEPS
from providers.models import ProviderStaff
from tests.dps.factories import make_location
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def test_every_demo_provider_gets_a_login_named_after_it_and_running_twice_changes_nothing():
    providers = [ProviderFactory(name=f"Demo: {name}", is_demo=True) for name in ("Leeds Homecare Ltd", "Otley Care")]
    for provider in providers:
        make_location(provider)
    real = ProviderFactory(name="A Real Care Company", is_demo=False)
    make_location(real)
    # A tender's demo bidder is not a care provider with locations: it gets no portal login.
    bidder = ProviderFactory(name="Demo: Bidder A", is_demo=True)
    out = io.StringIO()
    load_demo_provider_logins(stdout=OutputWrapper(out))
    load_demo_provider_logins(stdout=OutputWrapper(out))
    staff = {link.user.username: link.provider for link in ProviderStaff.objects.select_related("user", "provider")}
    assert staff == {"leeds-homecare-ltd": providers[0], "otley-care": providers[1]}
    assert real not in staff.values() and bidder not in staff.values()
    client = Client()
    response = client.post(
        "/accounts/sign-in/", {"username": "otley-care", "password": DEMO_PROVIDER_PASSWORD}, follow=True
    )
    assert response.redirect_chain and client.get("/portal/offers/").status_code == 200
    assert "lower case with hyphens" in out.getvalue()


def test_the_step_runs_after_the_demo_accounts_and_agreements():
    assert DEMO_STEPS.index("demo.provider_logins.load_demo_provider_logins") > DEMO_STEPS.index(
        "demo.agreements.load_demo_agreements"
    )
