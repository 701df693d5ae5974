"""Editing a package before award: a draft's details are replaced; a package being brokered is offered again
only when the change alters who can take it."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from brokerage.isa import VisitData
from brokerage.models import CarePackage, Offer
from brokerage.services.amendments import package_amend
from brokerage.services.brokering import package_broker
from brokerage.services.packages import IsaInvalid, PackageStateError, package_enter
from homecare.audit.actions import AuditAction
from homecare.audit.selectors import audit_events_for
from homecare.queue import enqueue_suspended
from tests.brokerage.factories import equip, make_isa, make_market
from tests.brokerage.test_pages import form_data
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_officer_edits_a_saved_draft_through_the_form(officer):
    market = make_market(providers=1)
    client = client_for(officer)
    client.post("/commissioning/packages/new/", form_data(market, draft="1"))
    package = CarePackage.objects.get()
    page = client.get(f"/commissioning/packages/{package.pk}/edit/")
    assert page.status_code == 200 and b'value="Joan"' in page.content and b'value="08:00"' in page.content
    response = client.post(
        f"/commissioning/packages/{package.pk}/edit/",
        form_data(market, given_name="Joanna", care_needs="Uses a hoist", **{"visits-0-duration_minutes": "60"}),
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.status == "draft" and package.care_needs == "Uses a hoist"
    assert package.person.given_name == "Joanna"
    assert package.visits.get().duration_minutes == 60 and package.hours_per_week == 2
    [event] = [e for e in audit_events_for(target=package) if e.action == AuditAction.PACKAGE_AMENDED]
    assert set(event.data["fields"]) >= {"person", "visits", "care_needs", "hours_per_week"}


def test_an_amendment_that_breaks_a_rule_changes_nothing(officer):
    market = make_market(providers=1)
    package = package_enter(isa=make_isa(market), entered_by=officer, submit=False).package
    bad = make_isa(market, visits=(VisitData(0, time(9), time(8), 30),))
    with pytest.raises(IsaInvalid):
        package_amend(package_id=package.pk, isa=bad, amended_by=officer)
    assert package.visits.count() == 8


def test_a_change_that_alters_who_can_take_it_withdraws_the_offers_and_brokers_again(officer):
    market = make_market(providers=3)
    # Only the second provider's staff are trained in end-of-life care.
    for index, provider in enumerate(market.providers):
        equip(provider, market.area, skills=["dementia", "end_of_life"] if index == 1 else ["dementia"])
    with enqueue_suspended():
        package = package_enter(isa=make_isa(market), entered_by=officer).package
        package_broker(package_id=package.pk)
        assert package.offers.filter(status=Offer.Status.PENDING).count() == 3
        amended = package_amend(
            package_id=package.pk,
            isa=make_isa(market, required_skills=("dementia", "end_of_life")),
            amended_by=officer,
        )
        assert amended.reranked
        package_broker(package_id=package.pk)  # what the worker does after commit
    package.refresh_from_db()
    assert package.round_number == 2 and package.status == "brokering"
    assert package.offers.filter(round_number=1, status=Offer.Status.WITHDRAWN).count() == 3
    assert list(package.offers.filter(round_number=2).values_list("provider_id", flat=True)) == [market.providers[1].pk]


def test_a_change_that_leaves_the_same_providers_keeps_the_offers(officer):
    market = make_market(providers=2)
    with enqueue_suspended():
        package = package_enter(isa=make_isa(market), entered_by=officer).package
        package_broker(package_id=package.pk)
        isa = make_isa(market)
        amended = package_amend(
            package_id=package.pk,
            isa=replace(isa, person=replace(isa.person, phone="0113 496 0000"), care_needs="Likes tea"),
            amended_by=officer,
        )
    assert not amended.reranked
    package.refresh_from_db()
    assert package.round_number == 1 and package.offers.filter(status=Offer.Status.PENDING).count() == 2


def test_an_awarded_package_is_not_edited_here(officer):
    market = make_market(providers=1)
    with enqueue_suspended():
        package = package_enter(isa=make_isa(market), entered_by=officer).package
    CarePackage.objects.filter(pk=package.pk).update(status=CarePackage.Status.AWARDED)
    with pytest.raises(PackageStateError):
        package_amend(package_id=package.pk, isa=make_isa(market), amended_by=officer)
    response = client_for(officer).get(f"/commissioning/packages/{package.pk}/edit/")
    assert response.status_code == 302
