"""Service-level rules of brokering: rounds, offers, responses, awards, hand-backs, escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from brokerage.models import AllocationRun, CarePackage, HandBack, Offer, OfferStatusChange, PackageStatusChange
from brokerage.services.brokering import package_broker, packages_due
from brokerage.services.packages import package_cancel, package_enter
from brokerage.services.responses import OfferClosed, offer_accept, offer_decline, package_hand_back
from contracts.models import AllocationPolicy
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_isa, make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def submitted(market, officer, **overrides):
    package = package_enter(isa=make_isa(market, **overrides), entered_by=officer).package
    package_broker(package_id=package.pk)
    package.refresh_from_db()
    return package


def offer_of(package, provider):
    return Offer.objects.get(package=package, provider=provider, round_number=package.round_number)


def test_ranked_dps_offers_every_eligible_provider_at_once_with_one_deadline(officer):
    market = make_market(policy=AllocationPolicy.RANKED_DPS, providers=3)
    package = submitted(market, officer)
    offers = list(package.offers.order_by("rank"))
    assert [o.provider for o in offers] == market.providers
    assert [o.rank for o in offers] == [1, 2, 3]
    assert len({o.respond_by for o in offers}) == 1
    assert package.status == CarePackage.Status.BROKERING
    assert package.next_action_at == offers[0].respond_by
    assert AllocationRun.objects.filter(package=package, round_number=1).count() == 1


def test_best_ranked_acceptance_awards_at_once_and_closes_the_other_offers(officer):
    market = make_market(providers=3)
    package = submitted(market, officer)
    second, first = market.providers[1], market.providers[0]
    offer_accept(
        offer_id=offer_of(package, second).pk,
        provider_user=make_provider_user(second),
        start_on=timezone.localdate() + timedelta(days=3),
    )
    package.refresh_from_db()
    assert package.status == CarePackage.Status.BROKERING  # the first-ranked could still accept
    offer_accept(
        offer_id=offer_of(package, first).pk,
        provider_user=make_provider_user(first),
        start_on=timezone.localdate() + timedelta(days=3),
    )
    package.refresh_from_db()
    assert package.status == CarePackage.Status.AWARDED
    assert package.awarded_provider == first
    statuses = {o.provider: o.status for o in package.offers.all()}
    assert statuses == {first: "awarded", second: "not_selected", market.providers[2]: "withdrawn"}
    assert package.first_response_at is not None


def test_a_lower_ranked_acceptance_wins_when_the_response_window_closes(officer):
    market = make_market(providers=3, response_window_hours=24)
    package = submitted(market, officer)
    third = market.providers[2]
    offer_accept(
        offer_id=offer_of(package, third).pk,
        provider_user=make_provider_user(third),
        start_on=timezone.localdate() + timedelta(days=4),
    )
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert package.pk in packages_due(now=timezone.now())
        package_broker(package_id=package.pk)
        package_broker(package_id=package.pk)  # running twice changes nothing
    package.refresh_from_db()
    assert package.status == CarePackage.Status.AWARDED
    assert package.awarded_provider == third
    assert package.offers.filter(status="expired").count() == 2
    assert package.status_changes.filter(to_status="awarded").count() == 1


def test_second_accept_of_an_awarded_package_is_refused_with_a_clear_message(officer):
    market = make_market(providers=2)
    package = submitted(market, officer)
    first, second = market.providers
    offer_accept(
        offer_id=offer_of(package, first).pk,
        provider_user=make_provider_user(first),
        start_on=timezone.localdate() + timedelta(days=3),
    )
    with pytest.raises(OfferClosed, match="already been awarded to another provider"):
        offer_accept(
            offer_id=offer_of(package, second).pk,
            provider_user=make_provider_user(second),
            start_on=timezone.localdate() + timedelta(days=3),
        )


def test_a_provider_cannot_answer_another_providers_offer(officer):
    market = make_market(providers=2)
    package = submitted(market, officer)
    with pytest.raises(Http404):
        offer_accept(
            offer_id=offer_of(package, market.providers[0]).pk,
            provider_user=make_provider_user(market.providers[1]),
            start_on=timezone.localdate() + timedelta(days=3),
        )


def test_cascade_moves_on_after_a_decline_and_after_a_timeout(officer):
    market = make_market(policy=AllocationPolicy.SEQUENTIAL_CASCADE, providers=3, cascade_offer_timeout_hours=4)
    package = submitted(market, officer)
    a, b, c = market.providers
    assert list(package.offers.values_list("provider", flat=True)) == [a.pk]
    offer_decline(offer_id=offer_of(package, a).pk, provider_user=make_provider_user(a), reason="no_capacity")
    assert set(package.offers.values_list("provider", flat=True)) == {a.pk, b.pk}
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        package_broker(package_id=package.pk)
        assert offer_of(package, b).status == "expired"
        offer_accept(
            offer_id=offer_of(package, c).pk,
            provider_user=make_provider_user(c),
            start_on=timezone.localdate() + timedelta(days=3),
        )
    package.refresh_from_db()
    assert package.status == CarePackage.Status.AWARDED and package.awarded_provider == c


def test_cascade_with_nobody_left_escalates_to_the_ccc(officer):
    market = make_market(policy=AllocationPolicy.SEQUENTIAL_CASCADE, providers=1)
    package = submitted(market, officer)
    (a,) = market.providers
    offer_decline(
        offer_id=offer_of(package, a).pk, provider_user=make_provider_user(a), reason="other", note="Staff sick"
    )
    package.refresh_from_db()
    assert package.status == CarePackage.Status.UNPLACED
    assert package.escalated_at is not None


def test_lead_provider_gets_first_refusal_then_additional_providers_by_rank(officer):
    market = make_market(policy=AllocationPolicy.LEAD_PROVIDER_FIRST, providers=3, lead_first_refusal_hours=24)
    package = submitted(market, officer)
    lead = market.providers[0]
    assert list(package.offers.values_list("provider", "is_first_refusal")) == [(lead.pk, True)]
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        package_broker(package_id=package.pk)
    assert offer_of(package, lead).status == "expired"
    assert package.offers.filter(status="pending").count() == 2


def test_hand_back_starts_a_new_round_without_the_provider(officer):
    market = make_market(providers=2)
    package = submitted(market, officer)
    first, second = market.providers
    user = make_provider_user(first)
    offer = offer_accept(
        offer_id=offer_of(package, first).pk, provider_user=user, start_on=timezone.localdate() + timedelta(days=3)
    )
    package_hand_back(
        offer_id=offer.pk, provider_user=user, effective_on=timezone.localdate() + timedelta(days=14), reason="staffing"
    )
    package_broker(package_id=package.pk)
    package.refresh_from_db()
    assert package.round_number == 2 and package.status == CarePackage.Status.BROKERING
    assert list(package.offers.filter(round_number=2).values_list("provider", flat=True)) == [second.pk]
    assert HandBack.objects.get(package=package).provider == first
    history = list(package.status_changes.values_list("to_status", flat=True))
    assert history == ["draft", "brokering", "awarded", "handed_back", "brokering"]


def test_every_state_change_writes_history_and_an_audit_event(officer):
    market = make_market(providers=2)
    package = submitted(market, officer)
    package_cancel(package_id=package.pk, cancelled_by=officer, reason="Person moved to a care home")
    assert PackageStatusChange.objects.filter(package=package).count() == 3
    assert OfferStatusChange.objects.filter(offer__package=package).count() == 4
    assert AuditEvent.objects.filter(action__startswith="package.").count() >= 4
    assert AuditEvent.objects.filter(action="offer.withdrawn").count() == 2
