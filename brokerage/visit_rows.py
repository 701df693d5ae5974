"""Editing the visit rows of the entry form before it is sent: add, remove, copy to every day, start from a pattern.

These are buttons of the form itself (GOV.UK's "add another" pattern), so they work without JavaScript: the
page comes back with the rows changed and nothing else touched, and nothing is checked or saved until the
officer submits. ``static/js/visit-rows.js`` does add and remove in the page when JavaScript runs.

Rows are the raw strings typed (a half-typed time stays as typed); the visits' rules are checked only on
submission, by the one entry service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from brokerage.isa import MAX_VISITS

PREFIX = "visits"
FIELDS = ("day_of_week", "window_start", "window_end", "duration_minutes", "carers")
# A page never holds more rows than a week may have visits, and a few spare: the cap is the ISA rule's.
MAX_ROWS = MAX_VISITS + 4

ADD = f"{PREFIX}-add"
REMOVE = f"{PREFIX}-remove"
COPY = f"{PREFIX}-copy"
PATTERN = f"{PREFIX}-pattern"
EDIT_BUTTONS = (ADD, REMOVE, COPY, PATTERN)

Row = dict[str, str]


@dataclass(frozen=True)
class Pattern:
    label: str
    calls: tuple[tuple[str, str, str, str], ...]  # (from, until, minutes, carers), repeated every day


# Starting points the officer then edits: the usual times of home care calls (morning, lunch, tea, bed).
PATTERNS: dict[str, Pattern] = {
    "one_a_day": Pattern("One call a day", (("07:30", "09:30", "45", "1"),)),
    "two_a_day": Pattern("Two calls a day", (("07:30", "09:30", "45", "1"), ("19:30", "21:30", "30", "1"))),
    "four_a_day": Pattern(
        "Four calls a day",
        (
            ("07:30", "09:30", "45", "1"),
            ("12:00", "13:30", "30", "1"),
            ("16:30", "18:00", "30", "1"),
            ("19:30", "21:30", "30", "1"),
        ),
    ),
}


def blank_row() -> Row:
    return {name: "1" if name == "carers" else "" for name in FIELDS}


def is_blank(row: Row) -> bool:
    # The carers select always has a value, so it does not make a row filled.
    return not any(row[name].strip() for name in FIELDS if name != "carers")


def rows_from(data: Mapping[str, Any]) -> list[Row]:
    """The rows as posted, at most ``MAX_ROWS`` (a forged row count cannot make a huge page)."""
    try:
        total = int(str(data.get(f"{PREFIX}-TOTAL_FORMS", "0")))
    except ValueError:
        total = 0
    total = max(0, min(total, MAX_ROWS))
    return [{name: str(data.get(f"{PREFIX}-{index}-{name}", "")) for name in FIELDS} for index in range(total)]


def edit_requested(data: Mapping[str, Any]) -> bool:
    return any(button in data for button in EDIT_BUTTONS)


def edited_rows(data: Mapping[str, Any]) -> tuple[list[Row], str]:
    """The rows after the edit button pressed, and a sentence saying what changed (for the page)."""
    rows = rows_from(data)
    if ADD in data:
        if len(rows) >= MAX_ROWS:
            return rows, f"A week can have at most {MAX_VISITS} visits."
        return [*rows, blank_row()], f"Visit {len(rows) + 1} added."
    if REMOVE in data:
        try:
            index = int(str(data[REMOVE]))
        except ValueError:
            return rows, ""
        if not 0 <= index < len(rows):
            return rows, ""
        remaining = rows[:index] + rows[index + 1 :]
        return remaining or [blank_row()], f"Visit {index + 1} removed."
    if COPY in data:
        return copy_to_every_day(rows)
    if PATTERN in data:
        pattern = PATTERNS.get(str(data[PATTERN]))
        if pattern is None:
            return rows, ""
        return pattern_rows(pattern), f"Visits set to {pattern.label.lower()}, every day: change any you need to."
    return rows, ""


def copy_to_every_day(rows: list[Row]) -> tuple[list[Row], str]:
    """The first day's visits, copied to all seven days in place of whatever the other days had."""
    filled = [row for row in rows if not is_blank(row)]
    first_day = next((row["day_of_week"] for row in filled if row["day_of_week"].strip()), None)
    if first_day is None:
        return rows, "Enter the visits of one day first, with its day, then copy them to every day."
    day_rows = [row for row in filled if row["day_of_week"] == first_day]
    copied = [{**row, "day_of_week": str(day)} for day in range(7) for row in day_rows]
    if len(copied) > MAX_VISITS:
        return rows, f"A week can have at most {MAX_VISITS} visits."
    return copied, f"{len(day_rows)} visits copied to every day ({len(copied)} a week)."


def pattern_rows(pattern: Pattern) -> list[Row]:
    return [
        {
            "day_of_week": str(day),
            "window_start": start,
            "window_end": end,
            "duration_minutes": minutes,
            "carers": carers,
        }
        for day in range(7)
        for start, end, minutes, carers in pattern.calls
    ]


def formset_data(data: QueryDict, rows: list[Row]) -> QueryDict:
    """The posted data with the visit rows replaced by ``rows`` (every other field untouched)."""
    edited = data.copy()
    for key in [key for key in edited if key.startswith(f"{PREFIX}-")]:
        del edited[key]
    edited.update(
        {
            f"{PREFIX}-TOTAL_FORMS": str(len(rows)),
            f"{PREFIX}-INITIAL_FORMS": "0",
            f"{PREFIX}-MIN_NUM_FORMS": "1",
            f"{PREFIX}-MAX_NUM_FORMS": str(MAX_ROWS),
        }
    )
    for index, row in enumerate(rows):
        edited.update({f"{PREFIX}-{index}-{name}": value for name, value in row.items()})
    return edited


def bound_rows(
    formset_class: Any, data: QueryDict | None, *, initial: list[dict[str, Any]] | None = None
) -> tuple[Any, str | None]:
    """The visit rows for this request, and a sentence about a visit-row edit.

    ``None`` for the sentence means no edit button was pressed, so the page may be checked and saved; after an
    edit the page comes back with the rows changed (the caller shows them without errors: ``quietly_bound``).
    ``initial`` (the current visits, when editing) stays the rows' starting point, so ``has_changed`` still says
    whether anything differs from the care as it is.
    """
    if data is None:
        return formset_class(prefix=PREFIX, initial=initial), None
    if edit_requested(data):
        rows, said = edited_rows(data)
        return formset_class(formset_data(data, rows), prefix=PREFIX, initial=initial), said
    return formset_class(data, prefix=PREFIX, initial=initial), None


def page_context(said: str | None) -> dict[str, Any]:
    """What the rows' template (``brokerage/_visit_rows.html``) needs besides the rows."""
    return {"rows_changed": said or "", "patterns": PATTERNS, "max_rows": MAX_ROWS}
