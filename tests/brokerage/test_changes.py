"""Changes after award through the services: each kind, its history, audit events and costs by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from brokerage.changes.selectors import cost_between, review_due_on, reviews_due, weekly_cost_on
from brokerage.models import CarePackage, Offer, PackageChange
from brokerage.selectors import offer_is_awarded_to_provider
from brokerage.services.brokering import package_broker
from brokerage.services.changes import (
    ChangeClosed,
    ChangeInvalid,
    change_request_decide,
    package_change_end,
    package_change_request,
    package_resume,
    package_review_record,
    package_suspend,
    package_suspension_rebroker,
    package_vary,
    variation_accept,
    variation_decline,
    variation_expire,
)
from brokerage.services.packages import PackageStateError
from brokerage.services.responses import offer_accept, package_hand_back
from homecare.audit.models import AuditEvent
from homecare.webhooks.models import OutboxEvent
from tests.brokerage.changes_helpers import HOUR_A_DAY, HOUR_AND_A_HALF_A_DAY, awarded_package, day
from tests.brokerage.factories import make_market
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def history(change: PackageChange) -> list[str]:
    return list(change.status_events.values_list("to_status", flat=True))


def actions(change: PackageChange) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(change.pk), action__startswith="package_change.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_an_accepted_variation_is_costed_from_its_effective_date_mid_week(officer):
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer)
    assert weekly_cost_on(package, day(0)) == Decimal("147.00")  # 7 hours at £21.00
    change = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(3), visits=HOUR_AND_A_HALF_A_DAY
    )
    assert change.status == "proposed" and change.respond_by is not None
    variation_accept(change_id=change.pk, provider_user=user)
    change.refresh_from_db()
    package.refresh_from_db()
    assert history(change) == ["proposed", "accepted"]
    assert actions(change) == ["package_change.proposed", "package_change.accepted"]
    # Three days of one hour, then four of an hour and a half: 3 x £21.00 + 4 x £31.50.
    assert weekly_cost_on(package, day(0)) == Decimal("189.00")
    assert weekly_cost_on(package, day(7)) == Decimal("220.50")
    assert package.hours_per_week == Decimal("10.50") and package.weekly_cost == Decimal("220.50")
    assert cost_between(package, day(-10), day(-1)) == Decimal("0")  # before care started


def test_a_declined_variation_rebrokers_while_the_old_care_continues_until_the_new_provider_starts(officer):
    market = make_market(providers=3)
    a, b, _c = market.providers
    package, offer, user = awarded_package(market, officer)
    change = package_vary(
        package_id=package.pk,
        requested_by=officer,
        effective_from=day(2),
        visits=HOUR_AND_A_HALF_A_DAY,
        exclude_current_provider=True,
    )
    variation_decline(change_id=change.pk, provider_user=user, note="We cannot staff longer calls")
    package.refresh_from_db()
    assert package.status == "brokering" and package.round_number == 2
    # A delivers the care until the new provider starts, so it still sees who the person is.
    assert offer_is_awarded_to_provider(Offer.objects.get(pk=offer.pk))
    package_broker(package_id=package.pk)
    round_two = Offer.objects.filter(package=package, round_number=2)
    assert a.pk not in set(round_two.values_list("provider_id", flat=True))  # excluded, as the officer chose
    offer_accept(offer_id=round_two.get(provider=b).pk, provider_user=make_provider_user(b), start_on=day(3))
    change.refresh_from_db()
    package.refresh_from_db()
    assert package.status == "awarded" and package.awarded_provider == b
    assert history(change) == ["proposed", "declined", "rebrokering", "replaced"]
    assert change.applied_from == day(3)
    assert not offer_is_awarded_to_provider(Offer.objects.get(pk=offer.pk))
    # A keeps its hour a day to day 2 (the variation's own date), then B's hour and a half from day 3:
    # 3 x £21.00 + 4 x £31.50.
    assert weekly_cost_on(package, day(0)) == Decimal("189.00")


def test_an_unanswered_variation_expires_and_rebrokers_once(officer):
    market = make_market(providers=2)
    package, _offer, _user = awarded_package(market, officer)
    change = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    assert variation_expire(change_id=change.pk) == "proposed"  # not yet due
    PackageChange.objects.filter(pk=change.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    assert variation_expire(change_id=change.pk) == "rebrokering"
    assert variation_expire(change_id=change.pk) == "rebrokering"  # a second run changes nothing
    change.refresh_from_db()
    assert history(change) == ["proposed", "expired", "rebrokering"]


def test_a_suspension_pays_its_retainer_days_then_care_resumes(officer):
    market = make_market(providers=2)
    market.agreement.suspension_retainer_days = 3
    market.agreement.save()
    package, _offer, _user = awarded_package(market, officer)
    change = package_suspend(
        package_id=package.pk, suspended_by=officer, starts_on=day(1), expected_return_on=day(5), reason="hospital"
    )
    assert change.retainer_days == 3
    with pytest.raises(PackageStateError):
        package_suspend(
            package_id=package.pk, suspended_by=officer, starts_on=day(1), expected_return_on=None, reason="holiday"
        )
    package_resume(package_id=package.pk, resumed_by=officer, resumed_on=day(6))
    change.refresh_from_db()
    assert history(change) == ["active", "resumed"]
    # Paid: day 0, the three retainer days 1-3 and day 6; not days 4 and 5.
    assert weekly_cost_on(package, day(0)) == Decimal("105.00")


def test_a_suspended_package_whose_provider_cannot_restart_is_rebrokered(officer):
    market = make_market(providers=3)
    _a, b, _c = market.providers
    package, _offer, _user = awarded_package(market, officer)
    package_suspend(
        package_id=package.pk, suspended_by=officer, starts_on=day(1), expected_return_on=None, reason="respite"
    )
    change = package_suspension_rebroker(package_id=package.pk, requested_by=officer, reason="A has no carers")
    package_broker(package_id=package.pk)
    offer = Offer.objects.get(package=package, round_number=2, provider=b)
    offer_accept(offer_id=offer.pk, provider_user=make_provider_user(b), start_on=day(3))
    change.refresh_from_db()
    assert history(change) == ["active", "rebrokering", "replaced"] and change.resumed_on == day(3)
    # Day 0 with A, nothing paid days 1-2 (no retainer), B from day 3.
    assert weekly_cost_on(package, day(0)) == Decimal("105.00")


def test_an_end_stops_the_costs_after_its_last_day_and_withdraws_a_waiting_variation(officer):
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer)
    variation = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    end = package_change_end(package_id=package.pk, ended_by=officer, ended_on=day(4), reason="residential")
    package.refresh_from_db()
    variation.refresh_from_db()
    assert package.status == "ended" and package.ended_on == day(4)
    assert variation.status == "withdrawn" and end.status == "completed"
    assert weekly_cost_on(package, day(0)) == Decimal("105.00")
    with pytest.raises(ChangeClosed):
        variation_accept(change_id=variation.pk, provider_user=user)


def test_a_hand_back_withdraws_the_variation_waiting_for_that_provider(officer):
    market = make_market(providers=2)
    package, offer, user = awarded_package(market, officer)
    variation = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    package_hand_back(offer_id=offer.pk, provider_user=user, effective_on=day(14), reason="staffing")
    variation.refresh_from_db()
    assert variation.status == "withdrawn"
    with pytest.raises(PackageStateError):
        package_vary(package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY)


def test_a_provider_request_approved_becomes_an_agreed_variation(officer):
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer)
    request = package_change_request(
        package_id=package.pk, provider_user=user, note="Needs more time at breakfast", visits=HOUR_AND_A_HALF_A_DAY
    )
    variation = change_request_decide(change_id=request.pk, decided_by=officer, approve=True, effective_from=day(2))
    request.refresh_from_db()
    assert history(request) == ["requested", "approved"]
    assert variation.kind == "variation" and variation.status == "accepted" and variation.source_request == request
    assert weekly_cost_on(package, day(0)) == Decimal("199.50")  # 2 x £21.00 + 5 x £31.50
    with pytest.raises(ChangeClosed):
        change_request_decide(change_id=request.pk, decided_by=officer, approve=False, note="No")


def test_a_refused_request_needs_a_reason(officer):
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer)
    request = package_change_request(package_id=package.pk, provider_user=user, note="More time please")
    with pytest.raises(ChangeInvalid) as invalid:
        change_request_decide(change_id=request.pk, decided_by=officer, approve=False)
    assert "note" in invalid.value.errors
    change_request_decide(change_id=request.pk, decided_by=officer, approve=False, note="The assessment says no")
    request.refresh_from_db()
    assert request.status == "refused"


def test_reviews_fall_six_weeks_after_care_starts_then_a_year_after_each_review(officer):
    market = make_market(providers=2)
    package, _offer, _user = awarded_package(market, officer)
    assert review_due_on(package) == day(42)
    assert package not in reviews_due(user=officer, on=day(41))
    assert package in reviews_due(user=officer, on=day(42))
    package_review_record(package_id=package.pk, reviewed_by=officer, reviewed_on=day(0))
    package.refresh_from_db()
    assert review_due_on(package) == day(365)
    assert package not in reviews_due(user=officer, on=day(42))


def test_bad_variations_are_refused_with_every_field_named(officer):
    market = make_market(providers=2)
    package, _offer, _user = awarded_package(market, officer)
    with pytest.raises(ChangeInvalid) as invalid:
        package_vary(package_id=package.pk, requested_by=officer, effective_from=day(-1), visits=())
    assert set(invalid.value.errors) == {"effective_from", "visits"}
    with pytest.raises(ChangeInvalid):
        package_vary(package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_A_DAY)
    assert not PackageChange.objects.exists()


def test_a_package_still_brokering_cannot_be_varied(officer):
    market = make_market(providers=2)
    from brokerage.services.packages import package_enter
    from tests.brokerage.factories import make_isa

    package = package_enter(isa=make_isa(market), entered_by=officer).package
    assert package.status == CarePackage.Status.BROKERING
    with pytest.raises(PackageStateError):
        package_vary(package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY)


def test_a_lost_email_about_a_change_is_found_by_the_sweep_and_sent_once(officer, mailoutbox):
    from brokerage.services.change_notifications import package_change_notify, package_changes_unnotified
    from brokerage.services.changes import NOTIFY_CHANGE_TASK
    from brokerage.tasks import notify_package_change

    assert notify_package_change.name == NOTIFY_CHANGE_TASK
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer)
    user.email = "rota@example.org"
    user.save()
    change = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    assert package_changes_unnotified() == []  # within its first minute the task may still be on its way
    later = timezone.now() + timedelta(minutes=2)
    assert package_changes_unnotified(now=later) == [change.pk]
    assert package_change_notify(change_id=change.pk) is True
    assert package_change_notify(change_id=change.pk) is False
    assert package_changes_unnotified(now=later) == []
    assert [m.to for m in mailoutbox] == [["rota@example.org"]]
    assert "proposes a change to the care" in mailoutbox[0].subject


def test_care_ended_while_a_declined_variation_is_rebrokered_is_costed_at_the_old_care(officer):
    market = make_market(providers=2)
    package, _offer, user = awarded_package(market, officer)
    change = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    variation_decline(change_id=change.pk, provider_user=user, note="Cannot")
    package_change_end(package_id=package.pk, ended_by=officer, ended_on=day(3), reason="died")
    change.refresh_from_db()
    package.refresh_from_db()
    assert history(change) == ["proposed", "declined", "rebrokering", "withdrawn"]
    assert weekly_cost_on(package, day(0)) == Decimal("84.00")  # the old hour a day, days 0 to 3


def _events(package: CarePackage) -> list[tuple[str, dict[str, Any]]]:
    rows = OutboxEvent.objects.filter(ordering_key=f"package:{package.pk}").order_by("id")
    return [(event.kind, event.payload) for event in rows]


def test_each_change_after_award_records_its_outbound_event_in_the_same_transaction(officer):
    market = make_market(providers=2)
    market.agreement.suspension_retainer_days = 2
    market.agreement.save()
    package, _offer, user = awarded_package(market, officer)
    before = len(_events(package))
    variation = package_vary(
        package_id=package.pk, requested_by=officer, effective_from=day(1), visits=HOUR_AND_A_HALF_A_DAY
    )
    assert len(_events(package)) == before  # proposed only: nothing has changed yet
    variation_accept(change_id=variation.pk, provider_user=user)
    suspension = package_suspend(
        package_id=package.pk, suspended_by=officer, starts_on=day(2), expected_return_on=day(5), reason="hospital"
    )
    package_resume(package_id=package.pk, resumed_by=officer, resumed_on=day(6))
    end = package_change_end(package_id=package.pk, ended_by=officer, ended_on=day(9), reason="residential")
    kinds = [kind for kind, _payload in _events(package)[before:]]
    assert kinds == ["package.varied", "package.suspended", "package.resumed", "package.ended"]
    payloads = [payload for _kind, payload in _events(package)[before:]]
    assert payloads[0]["variation"]["id"] == variation.pk
    assert payloads[0]["variation"]["hours_per_week"] == "10.50"
    assert payloads[1]["suspension"] == payloads[1]["suspension"] | {
        "id": suspension.pk,
        "reason_code": "hospital",
        "retainer_days": 2,
    }
    assert payloads[2]["suspension"]["resumed_on"] == day(6).isoformat()
    assert payloads[3]["end"]["id"] == end.pk and payloads[3]["package"]["status"] == "ended"
