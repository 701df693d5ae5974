"""CQC's real data: the Oldham extract (451 locations) and real API responses, about March 2025.

Counts below were checked against the file itself, not copied from its notes: 451 rows, 216 Registered,
135 homecare agencies, 62 of them Registered; of those 62, overall Good 26, Requires improvement 5,
Outstanding 4 and 27 with no rating yet.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from providers.cqc_import import cqc_records_import, provider_update_from_api
from providers.cqc_records import location_record_from_api
from providers.models import CqcImportRun, CqcLocation, CqcRating, Provider
from providers.quality import CqcRatings, cqc_dps_eligibility, quality_score
from providers.selectors import provider_cqc_summary
from tests.realdata import shared_data_file

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

OUTSTANDING = "1-530528300"  # Home Instead (Oldham): Outstanding; Caring and Well-led Outstanding
ALL_GOOD = "1-10820630788"  # Helping Hands Oldham: Good in all five key questions
GOOD_WITH_RI = "1-2134004952"  # Liberty Support - North: Good, Well-led Requires improvement
REQUIRES_IMPROVEMENT = "1-19666435449"  # Apex Prime Care - Oldham: RI; Safe and Well-led RI
NOT_YET_RATED = "1-10024040008"  # Ebenezer Care Services: no currentRatings at all
INADEQUATE = "1-3995862205"  # Italia House: Inadequate overall and in three key questions
INSPECTED_NOT_RATED = "1-16464985626"  # Lancaster House: "Inspected but not rated"


def import_oldham() -> str:
    out = StringIO()
    call_command("cqc_import_csv", str(shared_data_file("cqc", "oldham_cqc_locations_2025-03.csv")), stdout=out)
    return out.getvalue()


def api_sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(shared_data_file("cqc", "api_samples", name).read_text(encoding="utf-8"))
    return data


def current(location_id: str) -> CqcRatings:
    location = CqcLocation.objects.select_related("current_rating").get(location_id=location_id)
    return location.current_rating.as_ratings() if location.current_rating else CqcRatings.not_yet_rated()


def test_the_oldham_extract_gives_the_expected_counts():
    output = import_oldham()
    assert "451 new, 0 updated, 0 unchanged" in output
    assert CqcLocation.objects.count() == 451
    assert CqcLocation.objects.filter(registration_status="Registered").count() == 216
    assert CqcLocation.objects.filter(registration_status="Deregistered").count() == 235
    assert CqcLocation.objects.filter(is_homecare_agency=True).count() == 135
    registered_homecare = CqcLocation.objects.filter(is_homecare_agency=True, registration_status="Registered")
    assert registered_homecare.count() == 62
    overall = Counter(
        location.current_rating.overall if location.current_rating else None
        for location in registered_homecare.select_related("current_rating")
    )
    assert overall == {"Good": 26, None: 27, "Requires improvement": 5, "Outstanding": 4}
    # 312 carry an overall rating: 451 less 138 with no currentRatings and one with no overall in it.
    assert CqcRating.objects.count() == 312


def test_re_importing_the_oldham_extract_changes_nothing():
    import_oldham()
    snapshot = (
        list(CqcLocation.objects.order_by("pk").values()),
        list(CqcRating.objects.order_by("pk").values()),
        list(Provider.objects.order_by("pk").values()),
    )
    output = import_oldham()
    assert "0 new, 0 updated, 451 unchanged, 0 new rating sets" in output
    assert snapshot == (
        list(CqcLocation.objects.order_by("pk").values()),
        list(CqcRating.objects.order_by("pk").values()),
        list(Provider.objects.order_by("pk").values()),
    )
    assert CqcImportRun.objects.filter(succeeded=True).count() == 2


def test_the_score_orders_the_real_locations_as_the_council_rule_requires():
    import_oldham()
    in_order = [OUTSTANDING, ALL_GOOD, GOOD_WITH_RI, NOT_YET_RATED, REQUIRES_IMPROVEMENT, INADEQUATE]
    scores = [quality_score(current(location_id)) for location_id in in_order]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)  # strictly ordered
    # The rule in words: all-Good beats Good with a Requires improvement key question.
    assert quality_score(current(ALL_GOOD)) > quality_score(current(GOOD_WITH_RI))
    assert quality_score(current(OUTSTANDING)).points == 402  # Outstanding + Caring and Well-led Outstanding
    assert quality_score(current(NOT_YET_RATED)).rated is False


def test_dps_eligibility_on_real_records_of_each_kind():
    import_oldham()
    eligible = [OUTSTANDING, ALL_GOOD, GOOD_WITH_RI, REQUIRES_IMPROVEMENT, NOT_YET_RATED, INSPECTED_NOT_RATED]
    for location_id in eligible:
        assert cqc_dps_eligibility(current(location_id)).passed, location_id
    outcome = cqc_dps_eligibility(current(INADEQUATE))
    assert not outcome.passed
    assert outcome.reason == "CQC rates this location Inadequate overall."


def test_the_provider_summary_picks_the_best_registered_homecare_location():
    import_oldham()
    provider_ids = list(
        Provider.objects.filter(locations__location_id__in=[OUTSTANDING, REQUIRES_IMPROVEMENT, INADEQUATE]).values_list(
            "pk", flat=True
        )
    )
    summaries = provider_cqc_summary(provider_ids)
    by_location = {s.best_location.location_id if s.best_location else None: s for s in summaries.values()}
    assert by_location[OUTSTANDING].eligibility.passed
    assert by_location[REQUIRES_IMPROVEMENT].score.label.startswith("Requires improvement")
    # Italia House is deregistered: its provider has no registered homecare location, so it cannot enter.
    assert not by_location[None].eligibility.passed
    assert by_location[None].eligibility.reason == "No CQC-registered homecare agency location is on record."


def test_the_real_api_responses_are_read_whatever_they_contain():
    records = [
        location_record_from_api(api_sample(name))
        for name in (
            "location_homecare_outstanding_1-530528300.json",
            "location_homecare_requires_improvement_1-19666435449.json",
            "location_homecare_not_yet_rated_1-10024040008.json",
            "location_gp_with_new_assessment_block_1-569934227.json",
        )
    ]
    run = cqc_records_import(records=records, source="api")
    assert (run.created, run.ratings_added) == (4, 3)

    outstanding = current(OUTSTANDING)
    assert outstanding.overall.value == "Outstanding"
    assert {kq.value: r.value for kq, r in outstanding.key_questions.items()} == {
        "Safe": "Good",
        "Effective": "Good",
        "Caring": "Outstanding",
        "Responsive": "Good",
        "Well-led": "Outstanding",
    }
    assert outstanding.report_date == date(2019, 6, 28)
    location = CqcLocation.objects.get(location_id=OUTSTANDING)
    assert location.regulated_activities == ["Personal care"]
    assert "Dementia" in location.specialisms
    assert location.is_homecare_agency and location.is_dormant is False

    assert current(NOT_YET_RATED).overall.value == "Not yet rated"
    assert CqcLocation.objects.get(location_id=NOT_YET_RATED).is_dormant is True

    # The GP has no currentRatings.overall; its Single Assessment Framework block (2024) is newer.
    gp = current("1-569934227")
    assert (gp.overall.value, gp.report_date) == ("Good", date(2024, 2, 26))
    assert {r.value for r in gp.key_questions.values()} == {"Good"}

    again = cqc_records_import(records=records, source="api")
    assert (again.unchanged, again.ratings_added) == (4, 0)


def test_the_api_and_the_bulk_file_agree_so_switching_source_adds_no_rating_history():
    import_oldham()
    records = [
        location_record_from_api(api_sample("location_homecare_outstanding_1-530528300.json")),
        location_record_from_api(api_sample("location_homecare_requires_improvement_1-19666435449.json")),
    ]
    run = cqc_records_import(records=records, source="api")
    assert (run.updated, run.ratings_added) == (2, 0)  # richer location details, the same rating sets
    assert CqcRating.objects.filter(location__location_id__in=[OUTSTANDING, REQUIRES_IMPROVEMENT]).count() == 2


def test_the_real_provider_response_names_its_provider():
    provider = provider_update_from_api(data=api_sample("provider_1-101611810.json"))
    assert provider.name == "Guinness Northern Counties Limited"
    assert provider.registration_status == "Deregistered"
    assert provider.deregistration_date == date(2013, 10, 23)
    assert provider.companies_house_number == "IP19203R"
