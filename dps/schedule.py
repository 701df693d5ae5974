"""When DPS rounds fall: 1, 3 and 6 months after the agreement starts, then every 12 months until it ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.months import add_months

EARLY_ROUNDS_MONTHS = (1, 3, 6)
YEARLY = 12


@dataclass(frozen=True)
class PlannedRound:
    number: int
    label: str
    opens_on: date


def planned_rounds(*, term_start: date, term_end: date) -> list[PlannedRound]:
    """Rounds that open before ``term_end`` (a round opening on the last day would be pointless)."""
    months: list[int] = list(EARLY_ROUNDS_MONTHS)
    next_yearly = YEARLY
    while add_months(term_start, next_yearly) < term_end:
        months.append(next_yearly)
        next_yearly += YEARLY
    rounds: list[PlannedRound] = []
    for offset in months:
        opens_on = add_months(term_start, offset)
        if opens_on >= term_end:
            continue
        label = f"{offset} month{'s' if offset != 1 else ''} after start"
        if offset >= YEARLY and offset % YEARLY == 0:
            years = offset // YEARLY
            label = f"{years} year{'s' if years != 1 else ''} after start"
        rounds.append(PlannedRound(number=len(rounds) + 1, label=label, opens_on=opens_on))
    return rounds
