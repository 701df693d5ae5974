"""The council's allocation rules, table by table: who is excluded and why, and who ranks above whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import pytest

from brokerage.allocation import (
    AllocationInputError,
    AreaCapacity,
    CarerGender,
    Condition,
    Criterion,
    DayCoverage,
    ExclusionReason,
    GeoPoint,
    ProviderNotInRanking,
    TieBreak,
    Visit,
    Weekday,
    explain_for_provider,
    rank_providers,
)
from tests.brokerage.allocation.builders import (
    ALL_GOOD,
    ALL_WEEK,
    AS_OF,
    GOOD_WITH_RI,
    make_candidate,
    make_isa,
    miles_north,
)


@dataclass(frozen=True)
class OrderRule:
    rule: str
    first: dict[str, Any]
    second: dict[str, Any]
    decided_by: Criterion
    isa: dict[str, Any] = field(default_factory=dict)


ORDER_RULES = [
    OrderRule(
        "all-Good beats Good with Requires improvement in one key question, even when further and slower",
        first={"quality": ALL_GOOD, "lead_time_days": 6, "locations": (miles_north(9.0),)},
        second={"quality": GOOD_WITH_RI, "lead_time_days": 1, "locations": (miles_north(0.5),)},
        decided_by=Criterion.QUALITY,
    ),
    OrderRule(
        "an earlier start beats a later one at equal quality, even when further",
        first={"lead_time_days": 2, "locations": (miles_north(8.0),)},
        second={"lead_time_days": 5, "locations": (miles_north(1.0),)},
        decided_by=Criterion.EARLIEST_START,
    ),
    OrderRule(
        "nearer beats further at equal quality and start",
        first={"locations": (miles_north(2.0),)},
        second={"locations": (miles_north(4.0),)},
        decided_by=Criterion.DISTANCE,
    ),
    OrderRule(
        "the nearest of a provider's locations is the one that counts",
        first={"locations": (miles_north(12.0), miles_north(1.5))},
        second={"locations": (miles_north(2.5),)},
        decided_by=Criterion.DISTANCE,
    ),
    OrderRule(
        "lead times that all fall before the requested start do not separate providers",
        first={"lead_time_days": 6, "locations": (miles_north(2.0),)},
        second={"lead_time_days": 1, "locations": (miles_north(4.0),)},
        decided_by=Criterion.DISTANCE,
        isa={"requested_start": date(2026, 3, 16)},
    ),
    OrderRule(
        "fewer recent awards wins a tie on quality, start and distance",
        first={"recent_awards": 1},
        second={"recent_awards": 4},
        decided_by=Criterion.RECENT_AWARDS,
    ),
    OrderRule(
        "a difference of under a tenth of a mile is a tie, decided by recent awards",
        first={"recent_awards": 0, "locations": (miles_north(3.04),)},
        second={"recent_awards": 2, "locations": (miles_north(2.98),)},
        decided_by=Criterion.RECENT_AWARDS,
    ),
]


@pytest.mark.parametrize("rule", ORDER_RULES, ids=[rule.rule for rule in ORDER_RULES])
def test_the_council_rules_decide_who_ranks_first(rule: OrderRule) -> None:
    isa = make_isa(**rule.isa)
    # The expected winner goes last, so input order cannot be what puts it first.
    candidates = [make_candidate(2, **rule.second), make_candidate(1, **rule.first)]

    ranking = rank_providers(isa, candidates, as_of=AS_OF)

    assert [entry.provider_id for entry in ranking.ranked] == [1, 2]
    assert ranking.ranked[0].ahead_of_next_by is rule.decided_by
    assert ranking.ranked[1].behind_previous_by is rule.decided_by
    assert ranking.excluded == ()


def test_an_exact_tie_is_broken_by_the_fair_draw_the_same_way_every_time() -> None:
    isa = make_isa()
    first = rank_providers(isa, [make_candidate(1), make_candidate(2)], as_of=AS_OF)
    again = rank_providers(isa, [make_candidate(2), make_candidate(1)], as_of=AS_OF)

    assert first == again
    assert first.ranked[0].ahead_of_next_by is Criterion.FAIR_DRAW
    assert {entry.tie_break for entry in first.ranked} == {TieBreak.FAIR_DRAW}
    assert first.ranked[0].fair_draw < first.ranked[1].fair_draw


def test_the_fair_draw_depends_on_the_package_so_no_provider_always_wins_it() -> None:
    winners = {
        rank_providers(make_isa(reference=f"MOSAIC-{n}"), [make_candidate(1), make_candidate(2)], as_of=AS_OF)
        .ranked[0]
        .provider_id
        for n in range(40)
    }
    assert winners == {1, 2}


def test_earliest_start_is_the_later_of_the_requested_start_and_the_lead_time() -> None:
    ranking = rank_providers(
        make_isa(), [make_candidate(1, lead_time_days=0), make_candidate(2, lead_time_days=10)], as_of=AS_OF
    )
    starts = {entry.provider_id: entry.earliest_start for entry in ranking.ranked}
    assert starts == {1: date(2026, 3, 4), 2: date(2026, 3, 12)}


@dataclass(frozen=True)
class ExclusionRule:
    condition: Condition
    candidate: dict[str, Any]
    message: str
    isa: dict[str, Any] = field(default_factory=dict)


NOT_SUNDAYS = tuple(c for c in ALL_WEEK if c.weekday is not Weekday.SUNDAY)

EXCLUSION_RULES = [
    ExclusionRule(Condition.DPS_MEMBERSHIP, {"dps_active": False}, "No active DPS membership for this agreement"),
    ExclusionRule(
        Condition.CQC_ELIGIBILITY,
        {"cqc_eligible": False, "cqc_reason": "Rated Inadequate overall"},
        "Not CQC eligible: Rated Inadequate overall",
    ),
    ExclusionRule(
        Condition.AREA,
        {"areas": (AreaCapacity(area_code="outer-west", hours_available=60.0),)},
        "Does not serve Inner East",
    ),
    ExclusionRule(
        Condition.CAPACITY,
        {"areas": (AreaCapacity(area_code="inner-east", hours_available=6.5),)},
        "Needs 14.0 hours a week in Inner East; 6.5 available",
    ),
    ExclusionRule(
        Condition.CARERS_PER_VISIT,
        {"double_handed": False},
        "Needs 2 carers per visit for 1 of 8 visits; does not provide double-handed care",
    ),
    ExclusionRule(
        Condition.TIME_WINDOWS,
        {"coverage": NOT_SUNDAYS},
        "Cannot cover 1 of 8 visits in their time windows: Sunday 08:00 to 10:00 (45 min)",
    ),
    ExclusionRule(Condition.SKILLS, {"skills": frozenset({"end-of-life"})}, "Missing required skills: dementia"),
    ExclusionRule(Condition.LANGUAGE, {"languages": frozenset({"English"})}, "No carers speaking Polish"),
    ExclusionRule(
        Condition.CARER_GENDER, {"carer_genders": frozenset({CarerGender.MALE})}, "No female carers available"
    ),
    ExclusionRule(Condition.NOT_DECLINED, {"declined": True}, "Has already declined or handed back this package"),
]


def test_the_exclusion_table_covers_every_condition() -> None:
    assert {rule.condition for rule in EXCLUSION_RULES} == set(Condition)


@pytest.mark.parametrize("rule", EXCLUSION_RULES, ids=[rule.condition.value for rule in EXCLUSION_RULES])
def test_a_provider_failing_one_condition_is_excluded_with_that_reason(rule: ExclusionRule) -> None:
    ranking = rank_providers(make_isa(**rule.isa), [make_candidate(1, **rule.candidate)], as_of=AS_OF)

    assert ranking.ranked == ()
    [excluded] = ranking.excluded
    assert excluded.reasons == (ExclusionReason(condition=rule.condition, message=rule.message),)


def test_an_excluded_provider_carries_every_condition_it_failed() -> None:
    candidate = make_candidate(
        7,
        dps_active=False,
        areas=(AreaCapacity(area_code="inner-east", hours_available=2.0),),
        skills=frozenset(),
        declined=True,
    )
    [excluded] = rank_providers(make_isa(), [candidate], as_of=AS_OF).excluded
    assert [reason.condition for reason in excluded.reasons] == [
        Condition.DPS_MEMBERSHIP,
        Condition.CAPACITY,
        Condition.SKILLS,
        Condition.NOT_DECLINED,
    ]


def test_a_provider_outside_the_area_is_not_also_told_about_capacity_there() -> None:
    candidate = make_candidate(1, areas=(AreaCapacity(area_code="outer-west", hours_available=1.0),))
    [excluded] = rank_providers(make_isa(), [candidate], as_of=AS_OF).excluded
    assert [reason.condition for reason in excluded.reasons] == [Condition.AREA]


def test_conditions_that_are_only_just_met_are_met() -> None:
    isa = make_isa(language="polish")
    candidate = make_candidate(
        1,
        areas=(AreaCapacity(area_code="inner-east", hours_available=14.0),),
        # Monday morning visits fit from 09:15 (45 minutes before the window closes at 10:00).
        coverage=(DayCoverage(weekday=Weekday.MONDAY, earliest=time(9, 15), latest=time(20)), *ALL_WEEK[1:]),
    )
    ranking = rank_providers(isa, [candidate], as_of=AS_OF)
    assert ranking.excluded == ()


def test_a_visit_that_would_be_cut_short_by_the_providers_hours_is_not_covered() -> None:
    candidate = make_candidate(
        1, coverage=(DayCoverage(weekday=Weekday.MONDAY, earliest=time(9, 16), latest=time(20)), *ALL_WEEK[1:])
    )
    [excluded] = rank_providers(make_isa(), [candidate], as_of=AS_OF).excluded
    assert excluded.reasons[0].condition is Condition.TIME_WINDOWS


def test_working_hours_split_into_two_stretches_cover_visits_in_either() -> None:
    split_monday = (
        DayCoverage(weekday=Weekday.MONDAY, earliest=time(7), latest=time(11)),
        DayCoverage(weekday=Weekday.MONDAY, earliest=time(16), latest=time(21)),
    )
    isa = make_isa(
        visits=(
            Visit(weekday=Weekday.MONDAY, window_start=time(8), window_end=time(9), duration_minutes=30),
            Visit(weekday=Weekday.MONDAY, window_start=time(17), window_end=time(18), duration_minutes=30),
        )
    )
    assert rank_providers(isa, [make_candidate(1, coverage=split_monday)], as_of=AS_OF).excluded == ()

    lunch = Visit(weekday=Weekday.MONDAY, window_start=time(12), window_end=time(14), duration_minutes=30)
    [excluded] = rank_providers(
        make_isa(visits=(*isa.visits, lunch)), [make_candidate(1, coverage=split_monday)], as_of=AS_OF
    ).excluded
    assert excluded.reasons[0].message == (
        "Cannot cover 1 of 3 visits in their time windows: Monday 12:00 to 14:00 (30 min)"
    )


def test_working_hours_inside_a_visit_window_but_shorter_than_the_visit_do_not_cover_it() -> None:
    short_monday = (DayCoverage(weekday=Weekday.MONDAY, earliest=time(8, 30), latest=time(9)), *ALL_WEEK[1:])
    [excluded] = rank_providers(make_isa(), [make_candidate(1, coverage=short_monday)], as_of=AS_OF).excluded
    assert excluded.reasons[0].message == (
        "Cannot cover 1 of 8 visits in their time windows: Monday 08:00 to 10:00 (45 min)"
    )


def test_a_long_list_of_uncovered_visits_is_summarised() -> None:
    [excluded] = rank_providers(make_isa(), [make_candidate(1, coverage=())], as_of=AS_OF).excluded
    assert excluded.reasons[0].message == (
        "Cannot cover 8 of 8 visits in their time windows: Monday 08:00 to 10:00 (45 min), "
        "Tuesday 08:00 to 10:00 (45 min), Wednesday 08:00 to 10:00 (45 min) and 5 more"
    )


def test_no_language_or_gender_preference_means_no_such_condition() -> None:
    isa = make_isa(language=None, carer_gender=None)
    candidate = make_candidate(1, languages=frozenset(), carer_genders=frozenset())
    assert rank_providers(isa, [candidate], as_of=AS_OF).excluded == ()


def test_officers_see_why_each_provider_sits_where_it_does_with_neighbours_named() -> None:
    candidates = [
        make_candidate(1, name="Aire Valley Care"),
        make_candidate(2, name="Bramley Home Support", quality=GOOD_WITH_RI),
        make_candidate(3, name="Chapel Allerton Carers", quality=GOOD_WITH_RI, lead_time_days=6),
    ]
    middle = rank_providers(make_isa(), candidates, as_of=AS_OF).ranked[1]

    assert middle.provider_name == "Bramley Home Support"
    assert middle.explanation == (
        "2nd of 3 eligible providers. Its CQC quality score: 14 points (Good, Requires improvement in Well-led). "
        "Its earliest start: Wednesday 4 March 2026. Its distance from the person: 3.0 miles. "
        "Below Aire Valley Care (1st), which has a higher CQC quality score (15 vs 14 points). "
        "Above Chapel Allerton Carers (3rd): this provider can start earlier "
        "(Wednesday 4 March 2026 vs Sunday 8 March 2026), at the same quality score."
    )


def test_a_provider_sees_its_own_position_without_other_providers_names_or_figures() -> None:
    candidates = [
        make_candidate(1, name="Aire Valley Care", locations=(miles_north(1.0),)),
        make_candidate(2, name="Bramley Home Support", locations=(miles_north(2.0),)),
        make_candidate(3, name="Chapel Allerton Carers", locations=(miles_north(2.0),), recent_awards=3),
    ]
    ranking = rank_providers(make_isa(), candidates, as_of=AS_OF)

    text = explain_for_provider(ranking, 2)

    assert text == (
        "Your position: 2nd of 3 providers that meet every condition of this package.\n"
        "Your CQC quality score: 15 points (Good, Good in all five key questions). "
        "Your earliest start: Wednesday 4 March 2026. Your distance from the person: 2.0 miles.\n"
        "The provider in 1st place is ahead of you because it is nearer to the person, "
        "with the same quality score and start date.\n"
        "You are ahead of the provider in 3rd place because you have been awarded fewer packages recently, "
        "with the same quality score, start date and distance, so work is shared fairly."
    )
    assert "Aire" not in text and "Chapel" not in text and "1.0 miles" not in text


def test_an_excluded_provider_sees_what_it_could_not_meet() -> None:
    ranking = rank_providers(make_isa(), [make_candidate(1), make_candidate(2, double_handed=False)], as_of=AS_OF)
    assert explain_for_provider(ranking, 2) == (
        "You were not ranked for this package because it needs something you cannot meet:\n"
        "- Needs 2 carers per visit for 1 of 8 visits; does not provide double-handed care"
    )


def test_a_provider_that_was_never_a_candidate_gets_no_explanation() -> None:
    ranking = rank_providers(make_isa(), [make_candidate(1)], as_of=AS_OF)
    with pytest.raises(ProviderNotInRanking):
        explain_for_provider(ranking, 99)


def test_the_only_eligible_provider_is_told_so() -> None:
    [entry] = rank_providers(make_isa(), [make_candidate(1)], as_of=AS_OF).ranked
    assert entry.explanation.endswith("The only provider that meets every condition.")
    assert entry.tie_break is TieBreak.NONE


def test_the_same_provider_twice_is_refused() -> None:
    with pytest.raises(AllocationInputError, match="provider 1 is a candidate twice"):
        rank_providers(make_isa(), [make_candidate(1), make_candidate(1)], as_of=AS_OF)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Visit(weekday=Weekday.MONDAY, window_start=time(9), window_end=time(8), duration_minutes=30),
            "window_end must be after window_start",
        ),
        (
            lambda: Visit(weekday=Weekday.MONDAY, window_start=time(8), window_end=time(8, 30), duration_minutes=45),
            "must fit inside its time window",
        ),
        (
            lambda: Visit(
                weekday=Weekday.MONDAY, window_start=time(8), window_end=time(9), duration_minutes=30, carers=3
            ),
            "carers must be 1 or 2",
        ),
        (lambda: make_isa(visits=()), "at least one visit"),
        (lambda: make_isa(hours_per_week=0.0), "hours_per_week"),
        (lambda: make_candidate(1, locations=()), "at least one location"),
        (lambda: make_candidate(1, lead_time_days=-1), "lead_time_days"),
        (lambda: make_candidate(1, areas=(AreaCapacity(area_code="a", hours_available=1.0),) * 2), "listed twice"),
        (lambda: GeoPoint(latitude=91.0, longitude=0.0), "latitude"),
    ],
)
def test_malformed_inputs_are_refused_with_a_clear_error(build: Any, message: str) -> None:
    with pytest.raises(AllocationInputError, match=message):
        build()
