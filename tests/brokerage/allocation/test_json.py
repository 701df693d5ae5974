"""Rankings and their inputs survive storage as JSON, and stored inputs replay to the identical ranking."""

from __future__ import annotations

import json
from dataclasses import replace

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
from brokerage.allocation.codec import candidate_to_dict, isa_to_dict
from brokerage.allocation.pool import pack_bools, pack_floats, pack_ints
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
            lambda d: d["candidates"].update(lead_time_days=["2", 1, 1, 1]),
            r"candidates\.lead_time_days\[0\] must be an integer",
        ),
        (
            lambda d: d["candidates"]["gender_sets"].__setitem__(0, ["any"]),
            r"candidates\.gender_sets must be drawn from",
        ),
        (
            lambda d: d["candidates"]["name"].pop(),
            r"candidates\.name must have one value per candidate",
        ),
        (
            lambda d: d["candidates"].update(quality=pack_ints([0, 7, 0, 0])),
            r"candidates\.quality refers to a missing value",
        ),
        (
            lambda d: d["candidates"].update(declined=pack_bools([True] * 20)),
            r"candidates\.declined is not a packed column of the right length",
        ),
        (
            lambda d: d["candidates"].update(latitude="not base64!"),
            r"candidates\.latitude must be packed numbers",
        ),
        (
            lambda d: d["candidates"].update(locality_miles=[pack_ints([0, 0]), pack_floats([1.0, 2.0])]),
            r"candidates\.locality_miles must give each row once",
        ),
        (
            lambda d: d["candidates"].update(locality_miles=[pack_ints([9]), pack_floats([1.0])]),
            r"candidates\.locality_miles refers to a missing value",
        ),
        (
            lambda d: d["candidates"].update(locality_miles=[pack_ints([0]), pack_floats([1.0, 2.0])]),
            r"candidates\.locality_miles must hold 1 finite numbers",
        ),
        (lambda d: d["isa"]["visits"][0].update(weekday="funday"), r"isa\.visits\[0\]\.weekday must be one of"),
        (lambda d: d["isa"].update(hours_per_week=-3), r"hours_per_week must be > 0"),
        (lambda d: d.update(format=3), r"format must be one of 1, 2"),
    ],
)
def test_damaged_stored_inputs_are_refused_with_the_field_named(damage, message: str) -> None:
    document = json.loads(inputs_to_json(make_isa(), _candidates(), as_of=AS_OF))
    damage(document)

    with pytest.raises(AllocationInputError, match=message):
        inputs_from_json(json.dumps(document))


def test_inputs_stored_in_the_first_format_still_decode_and_replay() -> None:
    # Runs stored before the columnar format kept one JSON object per candidate.
    isa, candidates = make_isa(), tuple(_candidates())
    document = {
        "format": 1,
        "engine_version": "1.0.0",
        "as_of": AS_OF.isoformat(),
        "isa": isa_to_dict(isa),
        "candidates": [candidate_to_dict(candidate) for candidate in candidates],
    }

    inputs = inputs_from_json(json.dumps(document))

    assert (inputs.isa, inputs.candidates, inputs.engine_version) == (isa, candidates, "1.0.0")
    assert replay(json.dumps(document)) == rank_providers(isa, candidates, as_of=AS_OF)


def test_stored_columns_keep_each_shared_value_once() -> None:
    candidates = [make_candidate(n) for n in range(1, 51)]

    columns = json.loads(inputs_to_json(make_isa(), candidates, as_of=AS_OF))["candidates"]

    assert len(columns["name"]) == 50
    assert len(columns["qualities"]) == len(columns["coverages"]) == len(columns["skill_sets"]) == 1


def test_text_that_is_not_json_is_refused_clearly() -> None:
    with pytest.raises(AllocationInputError, match="not valid JSON"):
        Ranking.from_json("{not json")


def test_rota_fit_miles_are_stored_only_for_the_candidates_that_have_them_and_replay() -> None:
    isa = make_isa()
    plain = _candidates()
    fitted = [plain[0], replace(plain[1], locality_miles=2.449999), *plain[2:]]

    without = json.loads(inputs_to_json(isa, plain, as_of=AS_OF))
    document = json.loads(inputs_to_json(isa, fitted, as_of=AS_OF))

    # A run without rota fit stores exactly what it stored before the field existed.
    assert "locality_miles" not in without["candidates"]
    assert document["candidates"]["locality_miles"] == [pack_ints([1]), pack_floats([2.449999])]
    assert inputs_from_json(json.dumps(document)).candidates == tuple(fitted)
    ranking = replay(json.dumps(document))
    assert ranking == rank_providers(isa, fitted, as_of=AS_OF)
    entry = ranking.entry_for(2)
    assert entry is not None and entry.distance_miles == 2.4
