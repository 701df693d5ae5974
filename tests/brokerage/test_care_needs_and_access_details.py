"""Care needs are shared with every offered provider; access details only with the provider awarded the package."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from brokerage.models import Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import client_for
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

NEEDS = "Uses a hoist; prompt with insulin at breakfast"
ACCESS = "Key safe code 4321, side door"


def test_access_details_are_shown_to_the_awarded_provider_only(officer):
    market = make_market(providers=2)
    isa = make_isa(market, care_needs=NEEDS, special_requirements=ACCESS)
    package = package_enter(isa=isa, entered_by=officer).package
    package_broker(package_id=package.pk)
    first, second = market.providers
    winner = client_for(make_provider_user(first))
    other = client_for(make_provider_user(second))
    offer = Offer.objects.get(package=package, provider=first)
    other_offer = Offer.objects.get(package=package, provider=second)
    for client, pk in ((winner, offer.pk), (other, other_offer.pk)):
        before = client.get(f"/portal/offers/{pk}/").content.decode()
        assert NEEDS in before and "4321" not in before
    start = timezone.localdate() + timedelta(days=3)
    winner.post(
        f"/portal/offers/{offer.pk}/accept/",
        {"accept-start_on_0": start.day, "accept-start_on_1": start.month, "accept-start_on_2": start.year},
    )
    assert ACCESS in winner.get(f"/portal/offers/{offer.pk}/").content.decode()
    assert "4321" not in other.get(f"/portal/offers/{other_offer.pk}/").content.decode()
    officer_page = client_for(officer).get(f"/commissioning/packages/{package.pk}/").content.decode()
    assert NEEDS in officer_page and ACCESS in officer_page


def test_the_entry_form_says_which_text_is_shared_before_the_award(officer):
    make_market(providers=1)
    page = client_for(officer).get("/commissioning/packages/new/").content.decode()
    assert "Shared with every provider offered the package, before the award" in page
    assert "Shown only to the provider the package is awarded to" in page
