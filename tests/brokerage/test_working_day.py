"""Each audience's working day: the officer's to-do list, the award page, the CCC's work on a package, and the
provider's home and "My packages"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from brokerage.alerts.models import Alert
from brokerage.alerts.services import AlertAcknowledgementInvalid, alert_acknowledge
from brokerage.models import CarePackage, Offer, PackageNote, PersonDetailsAccess
from brokerage.services.brokering import package_broker
from brokerage.services.ccc import package_note_add, package_rebroker_widened, package_refer_to_officer
from brokerage.services.changes import package_change_request, package_vary
from brokerage.services.packages import PackageStateError, package_enter
from brokerage.services.responses import (
    AwardReasonRequired,
    offer_accept,
    offer_decline,
    package_award,
    package_hand_back,
)
from brokerage.worklists import officer_todo, provider_todo
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import ProviderStaff
from tests.brokerage.changes_helpers import HOUR_AND_A_HALF_A_DAY, awarded_package, day
from tests.brokerage.factories import equip, make_area, make_isa, make_market, rate
from tests.conftest import client_for
from tests.contracts.factories import MembershipFactory
from tests.factories import ProviderFactory, make_provider_user

pytestmark = pytest.mark.django_db


def submitted(market, officer, **overrides):
    package = package_enter(isa=make_isa(market, **overrides), entered_by=officer).package
    package_broker(package_id=package.pk)
    package.refresh_from_db()
    return package


def offer_of(package, provider):
    return Offer.objects.get(package=package, provider=provider, round_number=package.round_number)


def accept(package, provider, *, days=3):
    return offer_accept(
        offer_id=offer_of(package, provider).pk,
        provider_user=make_provider_user(provider),
        start_on=timezone.localdate() + timedelta(days=days),
    )


def unplaced(market, officer, **overrides):
    """A package every provider declined: escalated to the CCC."""
    package = submitted(market, officer, **overrides)
    for offer in package.offers.filter(status=Offer.Status.PENDING).select_related("provider"):
        offer_decline(offer_id=offer.pk, provider_user=make_provider_user(offer.provider), reason="no_capacity")
    package.refresh_from_db()
    assert package.status == CarePackage.Status.UNPLACED
    return package


def todo_counts(user):
    return {item.label: item.count for item in officer_todo(user)}


# --- The officer's home --------------------------------------------------------------------------------------


def test_the_officer_to_do_list_counts_each_kind_of_work_and_links_to_exactly_those_packages(officer, ccc_user):
    market = make_market(providers=3)
    draft = package_enter(isa=make_isa(market), entered_by=officer, submit=False).package
    awaiting = submitted(market, officer)
    accept(awaiting, market.providers[2])  # not the best: it waits for the response window or an officer
    quiet = submitted(market, officer)
    lost = unplaced(market, officer)
    package_refer_to_officer(package_id=lost.pk, referred_by=ccc_user, reason="Family asking daily")

    counts = todo_counts(officer)
    assert counts["Drafts to finish and submit"] == 1
    assert counts["Accepted packages awaiting your award"] == 1
    assert counts["Unplaced packages"] == 1
    assert counts["Packages referred to you by the CCC"] == 1
    assert counts["DPS applications to decide"] == 0

    client = client_for(officer)
    home = client.get(reverse("commissioning:home")).content.decode()
    for item in officer_todo(officer):
        assert item.url.replace("&", "&amp;") in home
    expected = {
        "Drafts to finish and submit": {draft},
        "Accepted packages awaiting your award": {awaiting},
        "Unplaced packages": {lost},
        "Packages referred to you by the CCC": {lost},
    }
    for item in officer_todo(officer):
        if item.label not in expected:
            continue
        listed = client.get(item.url).content.decode()
        for package in (draft, awaiting, quiet, lost):
            shown = f">{package.reference}<" in listed
            assert shown == (package in expected[item.label]), (item.label, package.reference)


def test_the_to_do_list_is_the_officers_alone(ccc_user, provider_user):
    with pytest.raises(PermissionDenied):
        officer_todo(ccc_user)
    assert client_for(provider_user).get(reverse("commissioning:home")).status_code == 403


# --- The award page ------------------------------------------------------------------------------------------


def test_awarding_past_a_better_ranked_acceptor_needs_a_reason_which_is_audited(officer):
    market = make_market(providers=3)
    package = submitted(market, officer)
    accept(package, market.providers[1])
    third = accept(package, market.providers[2])
    with pytest.raises(AwardReasonRequired, match="Provider B Care Ltd"):
        package_award(package_id=package.pk, offer_id=third.pk, awarded_by=officer, reason="  ")
    package.refresh_from_db()
    assert package.status == CarePackage.Status.BROKERING  # nothing happened

    package_award(package_id=package.pk, offer_id=third.pk, awarded_by=officer, reason="Family know this carer")
    package.refresh_from_db()
    assert package.status == CarePackage.Status.AWARDED and package.awarded_provider == market.providers[2]
    event = AuditEvent.objects.get(action=AuditAction.PACKAGE_AWARDED, target_id=str(package.pk))
    assert event.reason == "Family know this carer"
    assert event.data["passed_over"] == [market.providers[1].pk]
    assert package.status_changes.last().reason == "Family know this carer"


def test_awarding_the_best_ranked_acceptor_needs_no_reason(officer):
    market = make_market(providers=3)
    package = submitted(market, officer)
    best = accept(package, market.providers[1])
    accept(package, market.providers[2])
    package_award(package_id=package.pk, offer_id=best.pk, awarded_by=officer)
    package.refresh_from_db()
    assert package.awarded_provider == market.providers[1]
    assert offer_of(package, market.providers[2]).status == Offer.Status.NOT_SELECTED


def test_only_an_acceptance_of_the_current_round_can_be_awarded(officer):
    market = make_market(providers=2)
    package = submitted(market, officer)
    pending = offer_of(package, market.providers[1])
    with pytest.raises(PackageStateError, match="has not accepted"):
        package_award(package_id=package.pk, offer_id=pending.pk, awarded_by=officer, reason="x")


def test_the_award_page_shows_the_acceptors_best_first_and_asks_for_a_reason_to_pass_one(officer):
    market = make_market(providers=3)
    package = submitted(market, officer)
    accept(package, market.providers[2], days=5)
    accept(package, market.providers[1], days=4)
    client = client_for(officer)
    url = reverse("commissioning:brokerage:award", args=[package.pk])
    page = client.get(url).content.decode()
    assert page.index("Provider B Care Ltd") < page.index("Provider C Care Ltd")
    assert "Recommended" in page and "miles" in page
    assert (timezone.localdate() + timedelta(days=4)).strftime("%-d %b %Y") in page
    assert "Provider A Care Ltd" not in page.split("Award to a provider that has not accepted")[0]

    third = offer_of(package, market.providers[2])
    refused = client.post(url, {"offer": third.pk, "reason": ""})
    assert refused.status_code == 400 and "Record why you are awarding past it" in refused.content.decode()
    done = client.post(url, {"offer": third.pk, "reason": "Continuity of carers"})
    assert done.status_code == 302
    package.refresh_from_db()
    assert package.awarded_provider == market.providers[2]


def test_an_officer_awards_by_hand_only_to_a_provider_appointed_to_the_agreement(officer):
    market = make_market(providers=2)
    package = unplaced(market, officer)
    client = client_for(officer)
    url = reverse("commissioning:brokerage:award_by_hand", args=[package.pk])
    assert "Provider A Care Ltd" in client.get(url).content.decode()
    response = client.post(url, {"provider": market.providers[0].pk, "reason": "Phoned round: A can start"})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.status == CarePackage.Status.AWARDED and package.awarded_provider == market.providers[0]


# --- The CCC ---------------------------------------------------------------------------------------------------


def test_ccc_staff_open_any_package_and_record_calls(officer, ccc_user):
    market = make_market(providers=2)
    package = unplaced(market, officer)
    client = client_for(ccc_user)
    page = client.get(reverse("ccc:brokerage:package", args=[package.pk]))
    assert page.status_code == 200 and package.reference in page.content.decode()
    # The CCC page shows the person (to phone the family), so the view is logged like any other.
    assert PersonDetailsAccess.objects.filter(package=package, route=PersonDetailsAccess.Route.CCC_PAGE).count() == 1

    response = client.post(
        reverse("ccc:brokerage:package_note", args=[package.pk]),
        {"contact": "Provider A office", "text": "No carers in LS6 until March"},
    )
    assert response.status_code == 302
    note = PackageNote.objects.get(package=package)
    assert (note.kind, note.contact, note.author) == (PackageNote.Kind.CALL, "Provider A office", ccc_user)
    assert AuditEvent.objects.filter(action=AuditAction.PACKAGE_NOTE_ADDED, actor=ccc_user).count() == 1
    empty = client.post(reverse("ccc:brokerage:package_note", args=[package.pk]), {"contact": "", "text": " "})
    assert empty.status_code == 400 and PackageNote.objects.count() == 1


def test_provider_staff_can_neither_open_the_ccc_package_page_nor_write_notes(officer, provider_user):
    market = make_market(providers=1)
    package = unplaced(market, officer)
    client = client_for(provider_user)
    assert client.get(reverse("ccc:brokerage:package", args=[package.pk])).status_code == 403
    assert client.post(reverse("ccc:brokerage:package_note", args=[package.pk]), {"text": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        package_note_add(package_id=package.pk, author=provider_user, text="Hello")
    with pytest.raises(PermissionDenied):
        package_rebroker_widened(package_id=package.pk, requested_by=provider_user, reason="x", relax=["skills"])


def test_the_ccc_refers_a_package_to_an_officer_and_it_joins_the_officers_to_do_list(officer, ccc_user):
    market = make_market(providers=1)
    package = unplaced(market, officer)
    client = client_for(ccc_user)
    response = client.post(
        reverse("ccc:brokerage:package_refer", args=[package.pk]),
        {"officer": officer.pk, "reason": "Needs a decision on a spot purchase"},
    )
    assert response.status_code == 302
    note = PackageNote.objects.get(package=package, kind=PackageNote.Kind.REFERRAL)
    assert note.owner == officer
    assert AuditEvent.objects.get(action=AuditAction.PACKAGE_REFERRED).reason == "Needs a decision on a spot purchase"
    assert todo_counts(officer)["Packages referred to you by the CCC"] == 1


def test_rebrokering_with_a_wider_area_offers_providers_whose_capacity_is_only_there(officer, ccc_user):
    market = make_market(providers=1)
    package = unplaced(market, officer)
    outer = make_area("Outer North East", "outer-ne")
    further = ProviderFactory(name="Further Afield Care Ltd")
    rate(further, lat=53.84, lon=-1.55)
    equip(further, outer)  # capacity only in the other area
    MembershipFactory(agreement=market.agreement, provider=further)
    package_rebroker_widened(
        package_id=package.pk, requested_by=ccc_user, reason="LS6 providers are full", widen_area_ids=[outer.pk]
    )
    package_broker(package_id=package.pk)
    package.refresh_from_db()
    assert package.round_number == 2 and package.status == CarePackage.Status.BROKERING
    assert set(package.widened_areas.all()) == {outer}
    assert list(package.offers.filter(round_number=2).values_list("provider", flat=True)) == [further.pk]
    event = AuditEvent.objects.get(action=AuditAction.PACKAGE_SEARCH_WIDENED)
    assert event.actor == ccc_user and event.data["areas"] == [outer.pk]


def test_relaxing_an_isa_condition_is_recorded_with_what_it_was(officer, ccc_user):
    market = make_market(providers=1)
    package = unplaced(market, officer, language="Polish")
    with pytest.raises(PackageStateError, match="Write why"):
        package_rebroker_widened(package_id=package.pk, requested_by=ccc_user, reason="", relax=["language"])
    with pytest.raises(PackageStateError, match="Cannot relax"):
        package_rebroker_widened(package_id=package.pk, requested_by=ccc_user, reason="x", relax=["hours"])
    package_rebroker_widened(
        package_id=package.pk, requested_by=ccc_user, reason="Daughter will translate", relax=["language", "skills"]
    )
    package.refresh_from_db()
    assert package.language == "" and package.required_skills == []
    event = AuditEvent.objects.get(action=AuditAction.PACKAGE_SEARCH_WIDENED)
    assert event.data["relaxed"] == {"required_skills": ["dementia"], "language": "Polish"}
    assert "Daughter will translate" in PackageNote.objects.get(kind=PackageNote.Kind.REBROKER).text


def test_the_ccc_awards_an_unplaced_package_by_hand(officer, ccc_user):
    market = make_market(providers=2)
    package = unplaced(market, officer)
    client = client_for(ccc_user)
    response = client.post(
        reverse("ccc:brokerage:package_award_by_hand", args=[package.pk]),
        {"provider": market.providers[1].pk, "reason": "B found a carer after all"},
    )
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.awarded_provider == market.providers[1]


def test_acknowledging_an_alert_records_a_note_and_an_owner_on_the_package(officer, ccc_user):
    market = make_market(providers=1)
    package = unplaced(market, officer)
    alert = Alert.objects.create(
        kind=Alert.Kind.DEADLINE_BREACH,
        dedupe_key="t",
        package=package,
        summary="Deadline passed",
        raised_at=timezone.now(),
    )
    with pytest.raises(AlertAcknowledgementInvalid):
        alert_acknowledge(alert_id=alert.pk, acknowledged_by=ccc_user, note="")
    alert_acknowledge(alert_id=alert.pk, acknowledged_by=ccc_user, note="Passing to commissioning", owner=officer)
    alert.refresh_from_db()
    assert alert.owner == officer and alert.acknowledgement_note == "Passing to commissioning"
    note = PackageNote.objects.get(package=package, kind=PackageNote.Kind.ALERT)
    assert note.owner == officer and "Passing to commissioning" in note.text


def test_an_alert_cannot_be_owned_by_provider_staff(ccc_user, provider_user):
    alert = Alert.objects.create(kind=Alert.Kind.DEADLINE_BREACH, dedupe_key="t", summary="x", raised_at=timezone.now())
    with pytest.raises(AlertAcknowledgementInvalid, match="neither"):
        alert_acknowledge(alert_id=alert.pk, acknowledged_by=ccc_user, note="Mine", owner=provider_user)


# --- The provider's home and My packages --------------------------------------------------------------------


def _staff_of(provider):
    user = make_provider_user(provider)
    assert ProviderStaff.objects.filter(user=user, provider=provider).exists()
    return user


def test_the_provider_home_lists_offers_waiting_with_their_deadlines_and_current_packages(officer):
    market = make_market(providers=2)
    waiting = submitted(market, officer)
    held = submitted(market, officer)
    accept(held, market.providers[0])  # the best-ranked: awarded at once
    user = _staff_of(market.providers[0])
    page = client_for(user).get(reverse("portal:home")).content.decode()
    deadline = timezone.localtime(offer_of(waiting, market.providers[0]).respond_by)
    assert waiting.reference in page and deadline.strftime("%H:%M") in page
    assert reverse("portal:packages:detail", args=[held.pk]) in page
    counts = {item.label: item.count for item in provider_todo(user)}
    assert counts == {
        "Offers waiting for your answer": 1,
        "Your current packages": 1,
        "Variations waiting for your answer": 0,
        "Packages you have handed back, still in their notice": 0,
    }


def test_my_packages_shows_care_details_only_to_the_provider_holding_the_award(officer):
    market = make_market(providers=2)
    package = submitted(market, officer, special_requirements="Prefers morning calls")
    accept(package, market.providers[0])
    package.refresh_from_db()
    assert package.awarded_provider == market.providers[0]
    holder, other = _staff_of(market.providers[0]), _staff_of(market.providers[1])
    url = reverse("portal:packages:detail", args=[package.pk])

    page = client_for(holder).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 Test Street" in html and "Edith Crawley" in html and "Prefers morning calls" in html
    assert "Double-handed" in html  # the visit pattern
    access = PersonDetailsAccess.objects.get(package=package, route=PersonDetailsAccess.Route.PROVIDER_PACKAGE)
    assert access.user == holder and access.provider == market.providers[0]

    assert client_for(other).get(url).status_code == 404
    assert package.reference not in client_for(other).get(reverse("portal:packages:list")).content.decode()
    assert PersonDetailsAccess.objects.filter(user=other).count() == 0


def test_a_package_still_being_brokered_is_not_in_my_packages(officer):
    market = make_market(providers=2)
    package = submitted(market, officer)
    user = _staff_of(market.providers[0])
    assert client_for(user).get(reverse("portal:packages:detail", args=[package.pk])).status_code == 404


def test_my_packages_lists_the_providers_membership_and_fee_rates(officer):
    market = make_market(providers=1)
    user = _staff_of(market.providers[0])
    html = client_for(user).get(reverse("portal:packages:list")).content.decode()
    assert market.agreement.name in html
    assert "an hour" in html  # the fee rate in force


def test_officers_and_ccc_cannot_open_my_packages(officer, ccc_user):
    assert client_for(officer).get(reverse("portal:packages:list")).status_code == 403
    assert client_for(ccc_user).get(reverse("portal:home")).status_code == 403


# --- Provider detail and agreement pages, for officers -------------------------------------------------------


def test_the_provider_page_shows_membership_packages_and_response_performance(officer):
    market = make_market(providers=2)
    first = submitted(market, officer)
    accept(first, market.providers[0])
    second = submitted(market, officer)
    offer_decline(
        offer_id=offer_of(second, market.providers[0]).pk,
        provider_user=make_provider_user(market.providers[0]),
        reason="no_capacity",
    )
    html = client_for(officer).get(reverse("commissioning:providers:detail", args=[market.providers[0].pk]))
    text = html.content.decode()
    assert market.agreement.name in text
    assert first.reference in text and "Current packages (1)" in text
    performance = text.split('id="provider-performance"')[1].split("</dl>")[0]
    assert 'Offers made</dt><dd class="govuk-summary-list__value">2<' in performance
    assert 'Declined</dt><dd class="govuk-summary-list__value">1<' in performance
    assert 'Median time to answer</dt><dd class="govuk-summary-list__value">Less than an hour<' in performance


def test_agreement_members_are_searchable_and_paged(officer):
    market = make_market(providers=1)
    for number in range(30):
        MembershipFactory(agreement=market.agreement, provider=ProviderFactory(name=f"Member {number:02d} Ltd"))
    client = client_for(officer)
    url = reverse("commissioning:contracts:detail", args=[market.agreement.pk])
    first = client.get(url).content.decode()
    assert "31 DPS members, 25 a page" in first and "Page 1 of 2" in first
    assert "Member 29 Ltd" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Member 29 Ltd" in second
    found = client.get(url, {"q": "member 07"}).content.decode()
    assert "1 DPS member matching" in found and "Member 07 Ltd" in found and "Member 08 Ltd" not in found


# --- Changes after award on the to-do lists ------------------------------------------------------------------


def test_changes_after_award_appear_on_the_officer_and_provider_to_do_lists_with_their_lists(officer):
    market = make_market(providers=3)
    varied, _offer, holder = awarded_package(market, officer)
    package_vary(package_id=varied.pk, requested_by=officer, effective_from=day(3), visits=HOUR_AND_A_HALF_A_DAY)
    asked, _offer, _user = awarded_package(market, officer)
    package_change_request(
        package_id=asked.pk, provider_user=holder, note="Needs more time", visits=HOUR_AND_A_HALF_A_DAY
    )
    _handed, handed_offer, _user = awarded_package(market, officer)
    package_hand_back(offer_id=handed_offer.pk, provider_user=holder, effective_on=day(14), reason="staffing")
    CarePackage.objects.filter(pk=varied.pk).update(review_on=day(-1))  # its review is overdue

    officer_counts = todo_counts(officer)
    assert officer_counts["Providers' requests for a change to decide"] == 1
    assert officer_counts["Reviews due"] == 1
    provider_counts = {item.label: item.count for item in provider_todo(holder)}
    assert provider_counts["Variations waiting for your answer"] == 1
    assert provider_counts["Packages you have handed back, still in their notice"] == 1

    officer_client = client_for(officer)
    lists = {item.label: item.url for item in officer_todo(officer)}
    assert asked.reference in officer_client.get(lists["Providers' requests for a change to decide"]).content.decode()
    assert varied.reference in officer_client.get(lists["Reviews due"]).content.decode()
    provider_lists = {item.label: item.url for item in provider_todo(holder)}
    answer_page = client_for(holder).get(provider_lists["Variations waiting for your answer"]).content.decode()
    assert varied.reference in answer_page
