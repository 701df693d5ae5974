from __future__ import annotations

from datetime import date

import pytest

from commissioning.fuzzy_dates import FuzzyDate, FuzzyDateError, parse
from commissioning.schedule import Dependency, DependencyCycleError, dependents_of, reschedule, slippage_days


@pytest.mark.parametrize(
    ("wording", "start", "end"),
    [
        ("Early October 2008", date(2008, 10, 1), date(2008, 10, 10)),
        ("Mid October 2008", date(2008, 10, 11), date(2008, 10, 20)),
        ("End of Sept 2008", date(2008, 9, 21), date(2008, 9, 30)),
        ("End January 2009", date(2009, 1, 21), date(2009, 1, 31)),
        ("April/May 2008", date(2008, 4, 1), date(2008, 5, 31)),
        ("Early May 2009", date(2009, 5, 1), date(2009, 5, 10)),
        ("Late February 2008", date(2008, 2, 21), date(2008, 2, 29)),
        ("March 2009", date(2009, 3, 1), date(2009, 3, 31)),
        ("12 October 2008", date(2008, 10, 12), date(2008, 10, 12)),
        ("w/c 6 October 2008", date(2008, 10, 6), date(2008, 10, 10)),
        ("December/January 2009", date(2009, 12, 1), date(2010, 1, 31)),
        ("October 2008", date(2008, 10, 1), date(2008, 10, 31)),
        ("April to May 2008", date(2008, 4, 1), date(2008, 5, 31)),
    ],
)
def test_councils_wordings_become_intervals_and_keep_their_wording(wording, start, end):
    fuzzy = parse(wording)
    assert (fuzzy.start, fuzzy.end) == (start, end)
    assert fuzzy.wording == wording


def test_to_be_decided_is_kept_as_undecided():
    fuzzy = parse("To be decided")
    assert not fuzzy.is_decided and fuzzy.wording == "To be decided"


@pytest.mark.parametrize("wording", ["Soonish", "31 February 2009", "", "Early Octember 2008"])
def test_wordings_that_cannot_be_read_are_refused_not_guessed(wording):
    with pytest.raises(FuzzyDateError):
        parse(wording)


def test_moving_a_task_pushes_only_the_dependents_that_lose_their_slack():
    planned = {
        "1": parse("Early October 2008"),
        "2": parse("Mid October 2008"),
        "3": parse("End of October 2008"),
        "4": parse("December 2008"),  # slack: survives a small slip of 3
        "5": parse("To be decided"),
    }
    deps = [Dependency("2", "1"), Dependency("3", "2"), Dependency("4", "3"), Dependency("5", "3")]
    changed = reschedule(planned, deps, moved="1", to=parse("Mid October 2008"))
    assert changed["2"].start == date(2008, 10, 21) and changed["2"].end == date(2008, 10, 30)
    assert changed["3"].start == date(2008, 10, 31) and changed["3"].end == date(2008, 11, 10)
    assert "4" not in changed and "5" not in changed
    assert slippage_days(planned=changed["3"], baseline=planned["3"]) == 10
    assert dependents_of("1", deps) == {"2", "3", "4", "5"}


def test_a_circle_of_dependencies_is_refused():
    planned = {"1": parse("May 2009"), "2": parse("June 2009")}
    with pytest.raises(DependencyCycleError):
        reschedule(planned, [Dependency("1", "2"), Dependency("2", "1")], moved="1", to=parse("July 2009"))


def test_an_overlap_the_plan_already_had_is_kept_and_only_the_added_overlap_moves_a_task():
    planned = {"1": parse("April/May 2008"), "2": parse("End of May 2008"), "3": parse("June 2008")}
    deps = [Dependency("2", "1"), Dependency("3", "2")]
    # Task 1 ends a week later: task 2 already overlapped by 11 days, so it moves by the 7 added days.
    later = FuzzyDate("April to 7 June 2008", date(2008, 4, 1), date(2008, 6, 7))
    changed = reschedule(planned, deps, moved="1", to=later)
    assert changed["2"].start == date(2008, 5, 28) and changed["2"].end == date(2008, 6, 7)
    assert changed["3"].start == date(2008, 6, 8)
    assert slippage_days(planned=changed["3"], baseline=planned["3"]) == 7
