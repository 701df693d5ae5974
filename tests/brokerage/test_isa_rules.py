"""The ISA's boundary rules, through the one entry service: what is refused, by which field, and what is kept
when an officer places a person by postcode district with a reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest
from django.utils import timezone

from brokerage.isa import MAX_VISITS, MAX_VISITS_PER_DAY, VisitData
from brokerage.models import CarePackage
from brokerage.services.packages import IsaInvalid, package_enter
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from tests.brokerage.factories import make_isa, make_market

pytestmark = pytest.mark.django_db


def _refused(isa, officer) -> dict[str, list[str]]:
    with pytest.raises(IsaInvalid) as raised:
        package_enter(isa=isa, entered_by=officer)
    assert not CarePackage.objects.exists()
    return raised.value.errors


def test_a_postcode_missing_from_the_lookup_is_refused_by_its_field(officer):
    market = make_market(providers=1)
    isa = make_isa(market)
    unknown = isa.person.postcode.split(" ")[0] + " 9ZZ"  # its district is known, the postcode is not
    errors = _refused(replace(isa, person=replace(isa.person, postcode=unknown)), officer)
    assert list(errors) == ["person.postcode"]
    assert "give a reason to place the person by its district" in errors["person.postcode"][0]


def test_an_officer_may_place_the_person_by_district_with_a_reason_and_it_is_audited(officer):
    market = make_market(providers=1)
    isa = make_isa(market)
    district = isa.person.postcode.split(" ")[0]
    placed = replace(
        isa,
        person=replace(isa.person, postcode=f"{district} 9ZZ"),
        postcode_override_reason="A new-build estate: the postcode is not in the ONS lookup yet.",
    )
    package = package_enter(isa=placed, entered_by=officer).package
    assert package.postcode_district == district
    event = AuditEvent.objects.get(action=AuditAction.PACKAGE_LOCATED_BY_DISTRICT, target_id=str(package.pk))
    assert "new-build" in event.reason + event.summary + str(event.data)


def test_a_date_of_birth_in_the_future_or_over_120_years_ago_is_refused(officer):
    market = make_market(providers=1)
    isa = make_isa(market)
    today = timezone.localdate()
    for born in (today + timedelta(days=1), today.replace(year=today.year - 121)):
        errors = _refused(replace(isa, person=replace(isa.person, date_of_birth=born)), officer)
        assert list(errors) == ["person.date_of_birth"], born


def test_a_start_date_far_in_the_past_or_beyond_the_horizon_is_refused(officer):
    market = make_market(providers=1)
    isa = make_isa(market)
    today = timezone.localdate()
    for start in (today - timedelta(days=30), today + timedelta(days=800), today.replace(year=1990)):
        assert list(_refused(replace(isa, requested_start_on=start), officer)) == ["requested_start_on"], start


def test_more_visits_than_a_day_or_a_week_can_hold_are_refused_with_one_message(officer):
    market = make_market(providers=1)
    isa = make_isa(market)
    one_day = tuple(VisitData(0, time(6 + n), time(7 + n), 30) for n in range(MAX_VISITS_PER_DAY + 1))
    assert _refused(replace(isa, visits=one_day), officer) == {
        "visits": [f"Enter at most {MAX_VISITS_PER_DAY} visits a day."]
    }
    runaway = tuple(VisitData(n % 7, time(8), time(9), 30) for n in range(1000))
    assert _refused(replace(isa, visits=runaway), officer) == {
        "visits": [f"Enter at most {MAX_VISITS} visits a week (1000 sent)."]
    }


def test_the_same_visit_entered_twice_is_refused_on_the_repeat(officer):
    market = make_market(providers=1)
    isa = make_isa(market)
    visit = VisitData(2, time(8), time(9), 30)
    errors = _refused(replace(isa, visits=(visit, visit), hours_per_week=None), officer)
    assert list(errors) == ["visits[1].window_start"]
    assert "repeats visit 1" in errors["visits[1].window_start"][0]


def test_free_text_longer_than_its_limit_is_refused_by_its_field(officer):
    market = make_market(providers=1)
    errors = _refused(replace(make_isa(market), special_requirements="x" * 1_000_000), officer)
    assert list(errors) == ["special_requirements"]
