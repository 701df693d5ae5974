"""Rankings and their inputs survive storage as JSON, and stored inputs replay to the identical ranking."""

from __future__ import annotations

import json

import pytest

from brokerage.allocation import (
    ENGINE_VERSION,
    AllocationInputError,
    LotRole,
    ProviderCandidate,
    Ranking,
    inputs_from_json,
    inputs_to_json,
    rank_providers,
    replay,
)
from tests.brokerage.allocation.builders import AS_OF, GOOD_WITH_RI, make_candidate, make_isa, miles_north


def _candidates() -> list[ProviderCandidate]:
    return [
        make_candidate(1, lot_role=LotRole.LEAD),
        make_candidate(2, quality=GOOD_WITH_RI, locations=(miles_north(1.0), miles_north(7.5))),
        make_candidate(3, double_handed=False, declined=True, cqc_eligible=False, cqc_reason="Not registered"),
        make_candidate(4, lot_role=LotRole.ADDITIONAL, recent_awards=2),
    ]


def test_a_ranking_round_trips_through_json_unchanged() -> None:
    ranking = rank_providers(make_isa(), _candidates(), as_of=AS_OF)

    stored = ranking.to_json()

    assert Ranking.from_json(stored) == ranking
    assert Ranking.from_json(stored).to_json() == stored
    assert json.loads(stored)["engine_version"] == ENGINE_VERSION


def test_stored_inputs_decode_to_the_same_isa_and_candidates() -> None:
    isa, candidates = make_isa(housing_with_care=True, lot="Lot 3"), tuple(_candidates())

    inputs = inputs_from_json(inputs_to_json(isa, candidates, as_of=AS_OF))

    assert (inputs.isa, inputs.candidates, inputs.as_of) == (isa, candidates, AS_OF)
    assert inputs.engine_version == ENGINE_VERSION


def test_replaying_stored_inputs_gives_the_identical_ranking() -> None:
    isa = make_isa()
    ranking = rank_providers(isa, _candidates(), as_of=AS_OF)

    assert replay(inputs_to_json(isa, _candidates(), as_of=AS_OF)) == ranking


def test_a_damaged_stored_ranking_names_the_bad_field() -> None:
    document = json.loads(rank_providers(make_isa(), _candidates(), as_of=AS_OF).to_json())
    document["ranked"][1]["earliest_start"] = "next Tuesday"

    with pytest.raises(AllocationInputError, match=r"ranked\[1\]\.earliest_start must be an ISO date"):
        Ranking.from_json(json.dumps(document))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["isa"].pop("hours_per_week"), r"isa\.hours_per_week is missing"),
        (
            lambda d: d["candidates"][0].update(lead_time_days="2"),
            r"candidates\[0\]\.lead_time_days must be an integer",
        ),
        (lambda d: d["candidates"][1].update(carer_genders=["any"]), r"candidates\[1\]\.carer_genders must be a list"),
        (lambda d: d["isa"]["visits"][0].update(weekday="funday"), r"isa\.visits\[0\]\.weekday must be one of"),
        (lambda d: d["isa"].update(hours_per_week=-3), r"hours_per_week must be > 0"),
        (lambda d: d.update(format=2), r"format must be 1"),
    ],
)
def test_damaged_stored_inputs_are_refused_with_the_field_named(damage, message: str) -> None:
    document = json.loads(inputs_to_json(make_isa(), _candidates(), as_of=AS_OF))
    damage(document)

    with pytest.raises(AllocationInputError, match=message):
        inputs_from_json(json.dumps(document))


def test_text_that_is_not_json_is_refused_clearly() -> None:
    with pytest.raises(AllocationInputError, match="not valid JSON"):
        Ranking.from_json("{not json")
