"""Moving a task in a timetable and what that does to the tasks that depend on it (pure, no ORM).

A dependency is finish-to-start: the dependent may start the day after its predecessor's span ends,
plus a lag. When a task moves later, each dependent that would now start too early moves later by just
enough, keeping its length; slack absorbs what it can. Tasks are never pulled earlier automatically.
Undecided tasks ("To be decided") neither push nor are pushed.

Slippage is measured on the end of each span against the baseline's end, in days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from graphlib import CycleError, TopologicalSorter

from commissioning.fuzzy_dates import FuzzyDate


@dataclass(frozen=True)
class Dependency:
    task: str
    depends_on: str
    lag_days: int = 0


class DependencyCycleError(ValueError):
    pass


def order(keys: Sequence[str], dependencies: Sequence[Dependency]) -> list[str]:
    graph: dict[str, set[str]] = {key: set() for key in keys}
    for dependency in dependencies:
        graph.setdefault(dependency.task, set()).add(dependency.depends_on)
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise DependencyCycleError(f"These tasks depend on each other in a circle: {error.args[1]}") from None


def _earliest(key: str, plan: Mapping[str, FuzzyDate], predecessors: Mapping[str, list[Dependency]]) -> date | None:
    earliest: date | None = None
    for dependency in predecessors.get(key, []):
        before = plan.get(dependency.depends_on)
        if before is None or before.end is None:
            continue
        allowed = before.end + timedelta(days=1 + dependency.lag_days)
        earliest = allowed if earliest is None or allowed > earliest else earliest
    return earliest


def reschedule(
    planned: Mapping[str, FuzzyDate], dependencies: Sequence[Dependency], *, moved: str, to: FuzzyDate
) -> dict[str, FuzzyDate]:
    """Every task's planned date after ``moved`` is set to ``to``: only changed entries are returned.

    Councils' fuzzy spans often overlap their predecessors already ("End of May" after "April/May"), so a
    dependent moves only by the overlap the move *adds*, never to tidy an overlap the plan already had.
    """
    current = dict(planned)
    current[moved] = to
    predecessors: dict[str, list[Dependency]] = {}
    for dependency in dependencies:
        predecessors.setdefault(dependency.task, []).append(dependency)
    affected = dependents_of(moved, dependencies)
    changed: dict[str, FuzzyDate] = {moved: to}
    for key in order(list(current), dependencies):
        if key not in affected or key not in current:
            continue
        span = current[key]
        if span.start is None:
            continue
        earliest_now = _earliest(key, current, predecessors)
        if earliest_now is None:
            continue
        earliest_before = _earliest(key, planned, predecessors)
        overlap_before = max(0, (earliest_before - span.start).days) if earliest_before else 0
        push = (earliest_now - span.start).days - overlap_before
        if push > 0:
            current[key] = span.shifted(push)
            changed[key] = current[key]
    return changed


def dependents_of(key: str, dependencies: Sequence[Dependency]) -> set[str]:
    """Every task that depends on ``key``, directly or through others."""
    children: dict[str, set[str]] = {}
    for dependency in dependencies:
        children.setdefault(dependency.depends_on, set()).add(dependency.task)
    found: set[str] = set()
    stack = [key]
    while stack:
        for child in children.get(stack.pop(), set()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def slippage_days(*, planned: FuzzyDate, baseline: FuzzyDate | None) -> int | None:
    """Days the planned end is later (positive) or earlier than the baseline end; None if either is undecided."""
    if baseline is None or baseline.end is None or planned.end is None:
        return None
    return (planned.end - baseline.end).days
