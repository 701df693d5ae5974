"""A table as plain data: what the dashboard and the reports render, and what the exports write.

Every table on a page is built once, as a ``Table``; the page renders it (with drill-down links and tags)
and the CSV/XLSX exports write the same rows' raw values, so an export always matches what was on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

Value = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True)
class Cell:
    """One value: ``text`` is how the page shows it; ``href`` drills down; ``tag`` marks it in words."""

    value: Value
    text: str = ""
    href: str = ""
    tag: str = ""
    tag_class: str = ""

    @property
    def shown(self) -> str:
        if self.text:
            return self.text
        if self.value is None:
            return "No data"
        return str(self.value)


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    # Said under the table: what the figures count and how, so nobody has to guess.
    note: str = ""

    def add(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.slug}: a row needs {len(self.columns)} cells, not {len(cells)}.")
        self.rows.append(list(cells))


def hours(value: float | None) -> str:
    """A duration in hours, for people: "3.5 hours", "2.1 days" past two days, "No data" when unknown."""
    if value is None:
        return "No data"
    if value >= 48:
        return f"{value / 24:.1f} days"
    return f"{value:.1f} hours"


def percent(value: float | None) -> str:
    return "No data" if value is None else f"{value * 100:.0f}%"
