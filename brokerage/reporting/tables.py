"""A table as plain data: what the dashboard and the reports render, and what the exports write.

Every table on a page is built once, as a ``Table``; the page renders it (with drill-down links and tags)
and the CSV/XLSX exports write the same rows' raw values, so an export always matches what was on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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

    def html(self) -> SafeString:
        """The table as GOV.UK markup: a caption, column headers, and each row headed by its first cell.

        Built in Python rather than with template tags because a dashboard has thousands of cells and the
        template engine would spend most of the page's time on them. Every value passes through ``escape``.
        """
        head = "".join(
            f'<th scope="col" class="govuk-table__header{" govuk-table__header--numeric" if c.numeric else ""}">'
            f"{escape(c.label)}</th>"
            for c in self.columns
        )
        numeric = [" govuk-table__cell--numeric" if c.numeric else "" for c in self.columns]
        rows = []
        for cells in self.rows:
            parts = []
            for index, cell in enumerate(cells):
                content: str = escape(cell.shown)
                if cell.href:
                    content = (
                        f'<a class="govuk-link" href="{escape(cell.href)}">{content}'
                        '<span class="govuk-visually-hidden">: list the packages</span></a>'
                    )
                if cell.tag:
                    content = (
                        f'<strong class="govuk-tag {escape(cell.tag_class)}">{escape(cell.tag)}</strong> {content}'
                    )
                if index == 0:
                    parts.append(f'<th scope="row" class="govuk-table__header">{content}</th>')
                else:
                    parts.append(f'<td class="govuk-table__cell{numeric[index]}">{content}</td>')
            rows.append(f'<tr class="govuk-table__row">{"".join(parts)}</tr>')
        if not rows:
            rows.append(
                f'<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{len(self.columns)}">'
                "Nothing to show.</td></tr>"
            )
        return mark_safe(  # noqa: S308 - every value above is escaped
            '<table class="govuk-table hc-table--compact"><caption class="govuk-table__caption '
            f'govuk-table__caption--s">{escape(self.caption)}</caption><thead class="govuk-table__head">'
            f'<tr class="govuk-table__row">{head}</tr></thead><tbody class="govuk-table__body">{"".join(rows)}'
            "</tbody></table>"
        )

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
