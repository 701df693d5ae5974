"""Further rules of brokerage, one per test, through the services."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from brokerage.allocation import AllocationInputError, Ranking, replay
from brokerage.allocation.replay import ranking_from_stored
from brokerage.models import AllocationRun, CarePackage, Offer, PersonDetailsAccess
from brokerage.selectors import person_details_for_provider, provider_position
from brokerage.services.brokering import package_broker
from brokerage.services.packages import (
    IsaInvalid,
    PackageStateError,
    isa_resolve,
    package_cancel,
    package_enter,
)
from brokerage.services.responses import (
    OfferClosed,
    ResponseInvalid,
    offer_accept,
    offer_decline,
    package_award_manually,
    package_hand_back,
)
from contracts.models import AllocationPolicy
from tests.brokerage.factories import equip, make_isa, make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db
SOON = timedelta(days=3)


def brokered(market, officer, **overrides):
    package = package_enter(isa=make_isa(market, **overrides), entered_by=officer).package
    package_broker(package_id=package.pk)
    package.refresh_from_db()
    return package


def offer_of(package, provider):
    return Offer.objects.get(package=package, provider=provider, round_number=package.round_number)


def test_the_weekly_cost_uses_the_rate_in_force_and_the_placement_deadline_follows_urgency(officer):
    market = make_market(providers=1)
    package = brokered(market, officer, urgency="hospital_discharge")
    # 7 x 45 minutes single-handed + 30 minutes double-handed = 6.25 carer hours at the £21.00 standard rate.
    assert package.weekly_cost == Decimal("131.25")
    assert package.deadline_at == package.submitted_at + timedelta(hours=48)


def test_an_unknown_agreement_and_postcode_are_both_reported():
    market = make_market(providers=1)
    isa = make_isa(market, agreement_reference="Contract ID 1")
    with pytest.raises(IsaInvalid) as raised:
        isa_resolve(isa)
    assert set(raised.value.errors) == {"agreement_reference"}


def test_the_same_reference_received_twice_is_one_package(officer):
    market = make_market(providers=1)
    isa = make_isa(market, source_system="mosaic", external_reference="M-1")
    first = package_enter(isa=isa, entered_by=officer)
    again = package_enter(isa=isa, entered_by=officer)
    assert first.created and not again.created and first.package.pk == again.package.pk


def test_a_provider_without_capacity_in_the_area_is_excluded_with_that_reason(officer):
    market = make_market(providers=2)
    equip(market.providers[1], market.area, hours="0")
    package = brokered(market, officer)
    assert list(package.offers.values_list("provider", flat=True)) == [market.providers[0].pk]
    ranking = AllocationRun.objects.get(package=package).ranking
    excluded = ranking.exclusion_for(market.providers[1].pk)
    assert excluded is not None and excluded.reasons[0].condition == "capacity"


def test_a_stored_ranking_replays_to_the_same_result(officer):
    market = make_market(providers=3)
    package = brokered(market, officer)
    run = AllocationRun.objects.get(package=package)
    inputs = {k: v for k, v in run.inputs.items() if k != "skipped"}
    assert replay(json.dumps(inputs)) == run.ranking == ranking_from_stored(run.result, run.inputs)
    assert run.result["ranked"] == [entry.provider_id for entry in run.ranking.ranked]


def test_a_run_stored_in_the_full_form_of_engine_1_still_reads_back(officer):
    # Runs stored before the compact form kept every entry; they are read as written, never replayed.
    market = make_market(providers=3)
    package = brokered(market, officer)
    run = AllocationRun.objects.get(package=package)
    full = run.ranking.to_dict()
    AllocationRun.objects.filter(pk=run.pk).update(result=full, engine_version="1.0.0")

    assert AllocationRun.objects.get(pk=run.pk).ranking == Ranking.from_dict(full)


def test_a_tampered_stored_order_is_refused(officer):
    market = make_market(providers=3)
    package = brokered(market, officer)
    run = AllocationRun.objects.get(package=package)
    result = dict(run.result, ranked=list(reversed(run.result["ranked"])))
    AllocationRun.objects.filter(pk=run.pk).update(result=result)

    with pytest.raises(AllocationInputError, match="not what its stored inputs give"):
        _ = AllocationRun.objects.get(pk=run.pk).ranking


def test_the_award_uses_up_the_providers_declared_hours(officer):
    market = make_market(providers=1)
    package = brokered(market, officer)
    provider = market.providers[0]
    offer_accept(
        offer_id=offer_of(package, provider).pk,
        provider_user=make_provider_user(provider),
        start_on=timezone.localdate() + SOON,
    )
    assert provider.capacities.get().hours_available_per_week == Decimal("100") - package.hours_per_week


def test_an_offer_past_its_deadline_cannot_be_accepted(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    provider = market.providers[1]
    with time_machine.travel(timezone.now() + timedelta(hours=25)), pytest.raises(OfferClosed, match="expired"):
        offer_accept(
            offer_id=offer_of(package, provider).pk,
            provider_user=make_provider_user(provider),
            start_on=timezone.localdate() + SOON,
        )


def test_a_start_date_in_the_past_and_a_bare_other_reason_are_refused(officer):
    market = make_market(providers=1)
    package = brokered(market, officer)
    provider = market.providers[0]
    user = make_provider_user(provider)
    with pytest.raises(ResponseInvalid, match="start_on: The start date must be on or after") as raised:
        offer_accept(
            offer_id=offer_of(package, provider).pk,
            provider_user=user,
            start_on=timezone.localdate() - timedelta(days=1),
        )
    assert list(raised.value.errors) == ["start_on"]
    with pytest.raises(ResponseInvalid, match="note: Say why"):
        offer_decline(offer_id=offer_of(package, provider).pk, provider_user=user, reason="other")
    assert offer_of(package, provider).status == "pending"


def test_answering_twice_is_refused(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    provider = market.providers[1]
    user = make_provider_user(provider)
    offer_decline(offer_id=offer_of(package, provider).pk, provider_user=user, reason="no_capacity")
    with pytest.raises(OfferClosed, match="already responded"):
        offer_accept(offer_id=offer_of(package, provider).pk, provider_user=user, start_on=timezone.localdate() + SOON)


def test_only_the_awarded_provider_sees_the_person_and_never_another_providers_name(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    first, second = market.providers
    first_user, second_user = make_provider_user(first), make_provider_user(second)
    offer_accept(offer_id=offer_of(package, first).pk, provider_user=first_user, start_on=timezone.localdate() + SOON)
    portal = PersonDetailsAccess.Route.PROVIDER_PORTAL
    person = person_details_for_provider(offer=offer_of(package, first), provider_user=first_user, route=portal)
    assert person is not None and person.given_name == "Edith"
    assert person_details_for_provider(offer=offer_of(package, second), provider_user=second_user, route=portal) is None
    position = provider_position(offer=offer_of(package, second))
    assert position is not None
    assert position.position == 2 and first.name not in position.explanation


def test_only_the_awarded_provider_can_hand_back(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    first, second = market.providers
    offer_accept(
        offer_id=offer_of(package, first).pk,
        provider_user=make_provider_user(first),
        start_on=timezone.localdate() + SOON,
    )
    with pytest.raises(PackageStateError, match="not currently awarded to you"):
        package_hand_back(
            offer_id=offer_of(package, second).pk,
            provider_user=make_provider_user(second),
            effective_on=timezone.localdate() + timedelta(days=14),
            reason="staffing",
        )


def test_a_manual_award_needs_a_reason_and_an_open_package(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    with pytest.raises(PackageStateError, match="Record why"):
        package_award_manually(
            package_id=package.pk, provider_id=market.providers[1].pk, awarded_by=officer, reason=" "
        )
    package_award_manually(
        package_id=package.pk, provider_id=market.providers[1].pk, awarded_by=officer, reason="Family's choice"
    )
    with pytest.raises(PackageStateError, match="cannot be awarded"):
        package_award_manually(
            package_id=package.pk, provider_id=market.providers[0].pk, awarded_by=officer, reason="Again"
        )
    assert Offer.objects.filter(package=package, status="awarded").count() == 1


def test_a_cancelled_package_cannot_be_cancelled_again_or_accepted(officer):
    market = make_market(providers=1)
    package = brokered(market, officer)
    package_cancel(package_id=package.pk, cancelled_by=officer, reason="Died in hospital")
    with pytest.raises(PackageStateError):
        package_cancel(package_id=package.pk, cancelled_by=officer, reason="Again")
    provider = market.providers[0]
    with pytest.raises(OfferClosed, match="cancelled"):
        offer_accept(
            offer_id=offer_of(package, provider).pk,
            provider_user=make_provider_user(provider),
            start_on=timezone.localdate() + SOON,
        )


def test_housing_with_care_under_lead_provider_first_goes_to_the_lead_only(officer):
    market = make_market(policy=AllocationPolicy.LEAD_PROVIDER_FIRST, providers=3)
    package = brokered(market, officer, housing_with_care=True)
    lead = market.providers[0]
    offer_decline(offer_id=offer_of(package, lead).pk, provider_user=make_provider_user(lead), reason="no_capacity")
    package.refresh_from_db()
    assert package.status == CarePackage.Status.UNPLACED
    assert package.offers.count() == 1


def test_with_no_eligible_provider_the_package_is_escalated_at_once(officer):
    market = make_market(providers=1)
    equip(market.providers[0], market.area, double_handed=False)
    package = brokered(market, officer)
    assert package.status == CarePackage.Status.UNPLACED and package.offers.count() == 0


def test_a_package_can_be_deleted_with_its_rounds_offers_and_hand_backs(officer):
    market = make_market(providers=2)
    package = brokered(market, officer)
    first = market.providers[0]
    user = make_provider_user(first)
    offer = offer_accept(offer_id=offer_of(package, first).pk, provider_user=user, start_on=timezone.localdate() + SOON)
    package_hand_back(
        offer_id=offer.pk, provider_user=user, effective_on=timezone.localdate() + SOON, reason="staffing"
    )
    package_broker(package_id=package.pk)
    package.delete()
    assert not Offer.objects.exists() and not AllocationRun.objects.exists()
