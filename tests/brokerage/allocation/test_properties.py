"""Properties that must hold for every ISA and every set of candidates, checked with generated inputs."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from brokerage.allocation import (
    ENGINE_VERSION,
    AreaCapacity,
    CarerGender,
    Condition,
    DayCoverage,
    GeoPoint,
    Isa,
    LotRole,
    ProviderCandidate,
    QualityScore,
    Ranking,
    Urgency,
    Visit,
    Weekday,
    explain_for_provider,
    inputs_to_json,
    rank_providers,
    replay,
)
from tests.brokerage.allocation.reference_engine import reference_rank_providers

# Small vocabularies and a handful of places, so generated providers often tie and often fail conditions.
AREAS = ("inner-east", "outer-west")
SKILLS = ("dementia", "end-of-life", "stoma")
LANGUAGES = ("English", "Polish", "Urdu")
PLACES = (
    GeoPoint(latitude=53.8008, longitude=-1.5491),
    GeoPoint(latitude=53.8200, longitude=-1.5000),
    GeoPoint(latitude=53.7800, longitude=-1.6000),
    GeoPoint(latitude=53.8400, longitude=-1.4500),
)
AS_OF = date(2026, 3, 2)

PROPERTY_SETTINGS = settings(database=None, max_examples=100, deadline=None)


@st.composite
def visits(draw: st.DrawFn) -> Visit:
    start = draw(st.integers(min_value=6 * 4, max_value=20 * 4)) * 15
    length = draw(st.integers(min_value=2, max_value=12)) * 15
    duration = draw(st.integers(min_value=1, max_value=length // 15)) * 15
    end = min(start + length, 23 * 60 + 45)
    return Visit(
        weekday=draw(st.sampled_from(Weekday)),
        window_start=time(start // 60, start % 60),
        window_end=time(end // 60, end % 60),
        duration_minutes=min(duration, end - start),
        carers=draw(st.sampled_from((1, 1, 2))),
    )


@st.composite
def isas(draw: st.DrawFn) -> Isa:
    area = draw(st.sampled_from(AREAS))
    return Isa(
        reference=draw(st.text(alphabet="ABCDEFGHJK0123456789-", min_size=1, max_size=12).filter(str.strip)),
        location=draw(st.sampled_from(PLACES)),
        postcode_district="LS9",
        area_code=area,
        area_name=area.replace("-", " ").title(),
        visits=tuple(draw(st.lists(visits(), min_size=1, max_size=5))),
        hours_per_week=draw(st.sampled_from((3.5, 7.0, 14.0, 21.0))),
        requested_start=AS_OF + timedelta(days=draw(st.integers(min_value=0, max_value=6))),
        urgency=draw(st.sampled_from(Urgency)),
        required_skills=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
        language=draw(st.none() | st.sampled_from(LANGUAGES)),
        carer_gender=draw(st.none() | st.sampled_from(CarerGender)),
        housing_with_care=draw(st.booleans()),
    )


@st.composite
def coverage(draw: st.DrawFn) -> tuple[DayCoverage, ...]:
    days = draw(st.lists(st.sampled_from(Weekday), unique=True, min_size=5, max_size=7))
    return tuple(
        DayCoverage(
            weekday=day,
            earliest=time(draw(st.integers(min_value=6, max_value=9))),
            latest=time(draw(st.integers(min_value=18, max_value=23))),
        )
        for day in days
    )


_mostly = st.sampled_from((True, True, True, False))
FULL_WEEK = tuple(DayCoverage(weekday=day, earliest=time(6), latest=time(23, 59)) for day in Weekday)


def _usually(value: object, otherwise: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Mostly a value that meets the ISA, so rankings are long enough to have ties; sometimes anything."""
    return st.one_of(st.just(value), st.just(value), st.just(value), otherwise)


# Built once: a strategy per candidate (or a flatmap) makes generation, not the engine, the slow part.
_candidate_fields = st.fixed_dictionaries(
    {
        "dps_active": st.sampled_from((True,) * 9 + (False,)),
        "lot_role": st.sampled_from(LotRole),
        "cqc_eligible": st.sampled_from((True,) * 9 + (False,)),
        "quality": st.builds(QualityScore, points=st.integers(min_value=13, max_value=15), label=st.just("Good")),
        "areas": _usually(
            (
                AreaCapacity(area_code=AREAS[0], hours_available=40.0),
                AreaCapacity(area_code=AREAS[1], hours_available=40.0),
            ),
            st.lists(
                st.builds(
                    AreaCapacity,
                    area_code=st.sampled_from(AREAS),
                    hours_available=st.sampled_from((0.0, 5.0, 14.0, 40.0)),
                ),
                unique_by=lambda area: area.area_code,
                max_size=2,
            ).map(tuple),
        ),
        "coverage": _usually(FULL_WEEK, coverage()),
        "lead_time_days": st.integers(min_value=0, max_value=7),
        "locations": st.lists(st.sampled_from(PLACES), min_size=1, max_size=2).map(tuple),
        "double_handed": _mostly,
        "skills": _usually(frozenset(SKILLS), st.frozensets(st.sampled_from(SKILLS))),
        "languages": _usually(frozenset(LANGUAGES), st.frozensets(st.sampled_from(LANGUAGES), min_size=1)),
        "carer_genders": _usually(frozenset(CarerGender), st.frozensets(st.sampled_from(CarerGender), min_size=1)),
        "recent_awards": st.integers(min_value=0, max_value=2),
        "declined": st.sampled_from((False,) * 9 + (True,)),
        # Rota fit: usually unset (the office distance counts); sometimes extra miles, on and beside the
        # 0.05-mile rounding boundaries, equal to other candidates' (ties) or any figure at all.
        "locality_miles": st.one_of(
            st.none(),
            st.none(),
            st.sampled_from((0.0, 0.05, 0.15, 1.25, 1.2, 2.449999, 2.45, 2.450001)),
            st.floats(min_value=0, max_value=60, allow_nan=False, allow_infinity=False),
        ),
    }
)


@st.composite
def candidate_lists(draw: st.DrawFn) -> list[ProviderCandidate]:
    fields = draw(st.lists(_candidate_fields, max_size=12))
    ids = draw(
        st.lists(st.integers(min_value=1, max_value=10_000), unique=True, min_size=len(fields), max_size=len(fields))
    )
    # Distinctive names, so a leak of one provider's name into another's explanation is unmistakable.
    return [
        ProviderCandidate(provider_id=pid, name=f"Zq{pid}x Care", **values)
        for pid, values in zip(ids, fields, strict=True)
    ]


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists(), data=st.data())
def test_the_order_candidates_arrive_in_never_changes_the_ranking(isa, candidates, data) -> None:
    shuffled = data.draw(st.permutations(candidates))
    assert rank_providers(isa, shuffled, as_of=AS_OF) == rank_providers(isa, candidates, as_of=AS_OF)


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists())
def test_every_candidate_is_ranked_or_excluded_exactly_once(isa, candidates) -> None:
    ranking = rank_providers(isa, candidates, as_of=AS_OF)

    placed = [entry.provider_id for entry in ranking.ranked] + [entry.provider_id for entry in ranking.excluded]
    assert sorted(placed) == sorted(candidate.provider_id for candidate in candidates)
    assert [entry.position for entry in ranking.ranked] == list(range(1, len(ranking.ranked) + 1))


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists())
def test_every_exclusion_has_at_least_one_reason_each_condition_at_most_once(isa, candidates) -> None:
    order = list(Condition)
    for entry in rank_providers(isa, candidates, as_of=AS_OF).excluded:
        conditions = [reason.condition for reason in entry.reasons]
        assert conditions
        assert conditions == sorted(set(conditions), key=order.index)
        assert all(reason.message for reason in entry.reasons)


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists())
def test_the_ranking_follows_quality_then_start_then_distance_then_tie_breaks(isa, candidates) -> None:
    ranked = rank_providers(isa, candidates, as_of=AS_OF).ranked
    for upper, lower in itertools.pairwise(ranked):
        assert upper.rank_key() < lower.rank_key()
        assert upper.ahead_of_next_by is lower.behind_previous_by
        assert upper.earliest_start >= isa.requested_start


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists())
def test_replaying_stored_inputs_gives_the_identical_ranking(isa, candidates) -> None:
    ranking = rank_providers(isa, candidates, as_of=AS_OF)
    assert replay(inputs_to_json(isa, candidates, as_of=AS_OF)) == ranking
    assert Ranking.from_json(ranking.to_json()) == ranking


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists())
def test_a_provider_explanation_never_names_another_provider(isa, candidates) -> None:
    ranking = rank_providers(isa, candidates, as_of=AS_OF)
    for candidate in candidates:
        text = explain_for_provider(ranking, candidate.provider_id)
        others = [other.name for other in candidates if other.provider_id != candidate.provider_id]
        assert not [name for name in others if name in text]


@st.composite
def split_coverage(draw: st.DrawFn) -> tuple[DayCoverage, ...]:
    """Working hours in up to three stretches a day, overlapping or not."""
    stretches = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        earliest = draw(st.integers(min_value=6 * 4, max_value=21 * 4)) * 15
        latest = min(earliest + draw(st.integers(min_value=1, max_value=40)) * 15, 23 * 60 + 59)
        stretches.append(
            DayCoverage(
                weekday=draw(st.sampled_from(Weekday)),
                earliest=time(earliest // 60, earliest % 60),
                latest=time(latest // 60, latest % 60),
            )
        )
    return tuple(stretches)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@PROPERTY_SETTINGS
@given(isa=isas(), hours=split_coverage())
def test_time_windows_agree_with_checking_every_visit_against_every_stretch(isa, hours) -> None:
    covered = [
        any(
            stretch.weekday == visit.weekday
            and min(_minutes(visit.window_end), _minutes(stretch.latest))
            - max(_minutes(visit.window_start), _minutes(stretch.earliest))
            >= visit.duration_minutes
            for stretch in hours
        )
        for visit in isa.visits
    ]
    provider = ProviderCandidate(
        provider_id=1,
        name="Zq1x Care",
        dps_active=True,
        cqc_eligible=True,
        quality=QualityScore(points=15, label="Good"),
        areas=tuple(AreaCapacity(area_code=area, hours_available=40.0) for area in AREAS),
        coverage=hours,
        lead_time_days=0,
        locations=(PLACES[0],),
        double_handed=True,
        skills=frozenset(SKILLS),
        languages=frozenset(LANGUAGES),
        carer_genders=frozenset(CarerGender),
    )
    ranking = rank_providers(isa, [provider], as_of=AS_OF)
    failed = {reason.condition: reason.message for entry in ranking.excluded for reason in entry.reasons}

    if all(covered):
        assert Condition.TIME_WINDOWS not in failed
    else:
        assert failed[Condition.TIME_WINDOWS].startswith(f"Cannot cover {covered.count(False)} of {len(covered)}")


# The fast engine against the slow reference -------------------------------------------------------------

_anywhere = st.builds(
    GeoPoint,
    latitude=st.floats(min_value=53.5, max_value=54.1, allow_nan=False),
    longitude=st.floats(min_value=-1.9, max_value=-1.2, allow_nan=False),
)


@st.composite
def varied_candidate_lists(draw: st.DrawFn) -> list[ProviderCandidate]:
    """Longer lists, with working hours in stretches and positions anywhere (so distances fall near the
    0.05-mile rounding boundaries) as well as the shared values that make ties."""
    fields = draw(st.lists(_candidate_fields, max_size=40))
    ids = draw(
        st.lists(st.integers(min_value=1, max_value=10_000), unique=True, min_size=len(fields), max_size=len(fields))
    )
    result = []
    for pid, values in zip(ids, fields, strict=True):
        changed = dict(values)
        if draw(st.booleans()):
            changed["coverage"] = draw(split_coverage())
        if draw(st.booleans()):
            changed["locations"] = tuple(draw(st.lists(_anywhere, min_size=1, max_size=3)))
        result.append(ProviderCandidate(provider_id=pid, name=f"Zq{pid}x Care", **changed))
    return result


def _same_as_reference(isa: Isa, candidates: list[ProviderCandidate]) -> None:
    fast = rank_providers(isa, candidates, as_of=AS_OF)
    slow = reference_rank_providers(isa, candidates, as_of=AS_OF, engine_version=ENGINE_VERSION)
    # Entry by entry, so a failure shows the first difference: order, figures, tie-breaks and explanations.
    assert [entry.provider_id for entry in fast.ranked] == [entry.provider_id for entry in slow.ranked]
    assert list(fast.ranked) == list(slow.ranked)
    assert list(fast.excluded) == list(slow.excluded)
    assert fast == slow


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=candidate_lists())
def test_the_fast_engine_ranks_and_explains_exactly_as_the_reference_does(isa, candidates) -> None:
    _same_as_reference(isa, candidates)


@settings(database=None, max_examples=200, deadline=None)
@given(isa=isas(), candidates=varied_candidate_lists())
def test_the_fast_engine_matches_the_reference_on_longer_and_more_varied_lists(isa, candidates) -> None:
    _same_as_reference(isa, candidates)


@PROPERTY_SETTINGS
@given(isa=isas(), candidates=varied_candidate_lists(), data=st.data())
def test_reading_a_lazy_ranking_in_any_order_gives_the_same_entries(isa, candidates, data) -> None:
    slow = reference_rank_providers(isa, candidates, as_of=AS_OF, engine_version=ENGINE_VERSION)
    fast = rank_providers(isa, candidates, as_of=AS_OF)
    for index in data.draw(st.permutations(range(len(slow.ranked)))):
        assert fast.ranked[index] == slow.ranked[index]
    for candidate in data.draw(st.permutations(candidates)):
        assert fast.entry_for(candidate.provider_id) == slow.entry_for(candidate.provider_id)
        assert fast.exclusion_for(candidate.provider_id) == slow.exclusion_for(candidate.provider_id)
        assert explain_for_provider(fast, candidate.provider_id) == explain_for_provider(slow, candidate.provider_id)
