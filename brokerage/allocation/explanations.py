"""Plain-English reasons for where a provider sits in a ranking.

Officers see neighbours by name and both sides' figures. A provider sees its own figures and, for its
neighbours, only their position and the criterion that separated them: never another provider's name.
"""

from __future__ import annotations

from datetime import date

from brokerage.allocation.results import Criterion, RankedProvider, Ranking


class ProviderNotInRanking(LookupError):
    """The provider was neither ranked nor excluded for this package (it was never a candidate)."""


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _reason(
    criterion: Criterion, winner: RankedProvider, loser: RankedProvider, *, figures: bool, you: bool = False
) -> str:
    """Why `winner` sits above `loser`, as a predicate ("has a higher ..."); `figures` adds both values and
    `you` conjugates for a provider reading about itself ("you have a higher ...")."""
    has, is_ = ("have", "are") if you else ("has", "is")
    if criterion is Criterion.QUALITY:
        shown = f" ({winner.quality.points} vs {loser.quality.points} points)" if figures else ""
        return f"{has} a higher CQC quality score{shown}"
    if criterion is Criterion.EARLIEST_START:
        shown = f" ({long_date(winner.earliest_start)} vs {long_date(loser.earliest_start)})" if figures else ""
        return f"can start earlier{shown}, at the same quality score"
    if criterion is Criterion.DISTANCE:
        shown = f" ({winner.distance_miles:.1f} vs {loser.distance_miles:.1f} miles)" if figures else ""
        return f"{is_} nearer to the person{shown}, with the same quality score and start date"
    if criterion is Criterion.RECENT_AWARDS:
        shown = f" ({winner.recent_awards} vs {loser.recent_awards})" if figures else ""
        return (
            f"{has} been awarded fewer packages recently{shown}, with the same quality score, start date and "
            "distance, so work is shared fairly"
        )
    return (
        "came first in the fair draw for this package (a fixed hash of the package reference and provider id), "
        "with everything else equal, including recent awards"
    )


def _own_figures(entry: RankedProvider, *, you: bool) -> str:
    subject = "Your" if you else "Its"
    explanation = f", {entry.quality.explanation}" if entry.quality.explanation else ""
    return (
        f"{subject} CQC quality score: {entry.quality.points} points ({entry.quality.label}{explanation}). "
        f"{subject} earliest start: {long_date(entry.earliest_start)}. "
        f"{subject} distance from the person: {entry.distance_miles:.1f} miles."
    )


def officer_explanation(
    entry: RankedProvider, above: RankedProvider | None, below: RankedProvider | None, *, total: int
) -> str:
    """Why `entry` sits between `above` and `below`, naming both, for commissioning and CCC officers."""
    parts = [f"{ordinal(entry.position)} of {total} eligible providers.", _own_figures(entry, you=False)]
    if above is not None and entry.behind_previous_by is not None:
        reason = _reason(entry.behind_previous_by, above, entry, figures=True)
        parts.append(f"Below {above.provider_name} ({ordinal(above.position)}), which {reason}.")
    if below is not None and entry.ahead_of_next_by is not None:
        reason = _reason(entry.ahead_of_next_by, entry, below, figures=True)
        parts.append(f"Above {below.provider_name} ({ordinal(below.position)}): this provider {reason}.")
    if above is None and below is None:
        parts.append("The only provider that meets every condition.")
    return " ".join(parts)


def explain_for_provider(ranking: Ranking, provider_id: int) -> str:
    """What one provider may see about its own position: its figures, and why its neighbours are where they
    are, without their names or figures. Raises `ProviderNotInRanking` for a provider that was no candidate.
    """
    exclusion = ranking.exclusion_for(provider_id)
    if exclusion is not None:
        lines = [f"- {reason.message}" for reason in exclusion.reasons]
        return "\n".join(["You were not ranked for this package because it needs something you cannot meet:", *lines])
    entry = ranking.entry_for(provider_id)
    if entry is None:
        raise ProviderNotInRanking(f"provider {provider_id} was not a candidate for {ranking.package_reference}")
    total = len(ranking.ranked)
    lines = [
        f"Your position: {ordinal(entry.position)} of {total} providers that meet every condition of this package.",
        _own_figures(entry, you=True),
    ]
    if entry.behind_previous_by is not None:
        above = ranking.ranked[entry.position - 2]
        reason = _reason(entry.behind_previous_by, above, entry, figures=False)
        lines.append(f"The provider in {ordinal(above.position)} place is ahead of you because it {reason}.")
    if entry.ahead_of_next_by is not None:
        below = ranking.ranked[entry.position]
        reason = _reason(entry.ahead_of_next_by, entry, below, figures=False, you=True)
        lines.append(f"You are ahead of the provider in {ordinal(below.position)} place because you {reason}.")
    return "\n".join(lines)
