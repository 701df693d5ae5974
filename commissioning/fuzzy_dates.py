"""Councils' planned dates as they write them, read into an interval of days.

"Early October 2008", "April/May 2008", "End of Sept 2008", "w/c 6 October 2008" and "To be decided" all
appear in real procurement timetables. Each becomes an interval ``[start, end]`` (both inclusive) so it
sorts and can be checked for slippage honestly, while the original wording is kept beside it.

The thirds of a month are the plain reading: early is days 1-10, mid 11-20, late or end 21 to the last day.
A wording the parser does not understand is an error, never a guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {calendar.month_name[number].lower(), calendar.month_abbr[number].lower()}
}
MONTHS["sept"] = 9
UNDECIDED = {"to be decided", "tbd", "tbc", "to be confirmed", "not yet known"}
_MONTH = r"(?P<{name}>[a-z]+)\.?"
_YEAR = r"(?P<year>\d{4})"


class FuzzyDateError(ValueError):
    """The wording could not be read as a date or a span of dates."""


@dataclass(frozen=True)
class FuzzyDate:
    wording: str
    start: date | None
    end: date | None

    @property
    def is_decided(self) -> bool:
        return self.start is not None

    def shifted(self, days: int) -> FuzzyDate:
        """The same span moved by ``days``; its wording says it was moved rather than pretending to be written."""
        if self.start is None or self.end is None or days == 0:
            return self
        start, end = self.start + timedelta(days=days), self.end + timedelta(days=days)
        return FuzzyDate(wording=describe(start, end), start=start, end=end)


def _month(name: str) -> int:
    try:
        return MONTHS[name.lower().rstrip(".")]
    except KeyError:
        raise FuzzyDateError(f'"{name}" is not a month.') from None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def describe(start: date, end: date) -> str:
    """A plain wording for an exact span, used for dates that were moved by the schedule."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if start.year == end.year and start.month == end.month:
        return f"{start.day}-{end.day} {start:%B %Y}"
    return f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y}"


def parse(wording: str) -> FuzzyDate:
    """Read a council's wording of a planned date. See the module docstring for the forms understood."""
    text = " ".join(wording.strip().lower().replace(",", " ").split())
    if not text:
        raise FuzzyDateError('Write a date, a span such as "Early May 2009", or "To be decided".')
    if text in UNDECIDED:
        return FuzzyDate(wording=wording.strip(), start=None, end=None)
    start, end = _parse_span(text)
    if end < start:
        raise FuzzyDateError(f'"{wording}" ends before it starts.')
    return FuzzyDate(wording=wording.strip(), start=start, end=end)


def _parse_span(text: str) -> tuple[date, date]:
    # "w/c 6 October 2008": the working week commencing that day.
    match = re.fullmatch(r"(?:w/c|wc|week commencing) (?P<day>\d{1,2}) " + _MONTH.format(name="m") + " " + _YEAR, text)
    if match:
        monday = _day(int(match["year"]), _month(match["m"]), int(match["day"]))
        return monday, monday + timedelta(days=4)
    # "12 October 2008" or "12th October 2008"
    match = re.fullmatch(r"(?P<day>\d{1,2})(?:st|nd|rd|th)? " + _MONTH.format(name="m") + " " + _YEAR, text)
    if match:
        day = _day(int(match["year"]), _month(match["m"]), int(match["day"]))
        return day, day
    # "12/10/2008"
    match = re.fullmatch(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/" + _YEAR, text)
    if match:
        day = _day(int(match["year"]), int(match["month"]), int(match["day"]))
        return day, day
    # "April/May 2008", "April - May 2008", "April to May 2008"
    match = re.fullmatch(
        _MONTH.format(name="m1") + r"(?: ?/ ?| ?- ?| to )" + _MONTH.format(name="m2") + " " + _YEAR, text
    )
    if match:
        year, first, last = int(match["year"]), _month(match["m1"]), _month(match["m2"])
        end_year = year + 1 if last < first else year  # "December/January 2009" runs into the next year
        return date(year, first, 1), date(end_year, last, _last_day(end_year, last))
    # "Early October 2008", "Mid Oct 2008", "End of Sept 2008", "Late January 2009", "Beginning of May 2009"
    match = re.fullmatch(
        r"(?P<part>early|beginning of|start of|mid|middle of|late|end of|end) " + _MONTH.format(name="m") + " " + _YEAR,
        text,
    )
    if match:
        year, month = int(match["year"]), _month(match["m"])
        part = match["part"]
        if part in ("early", "beginning of", "start of"):
            return date(year, month, 1), date(year, month, 10)
        if part in ("mid", "middle of"):
            return date(year, month, 11), date(year, month, 20)
        return date(year, month, 21), date(year, month, _last_day(year, month))
    # "October 2008"
    match = re.fullmatch(_MONTH.format(name="m") + " " + _YEAR, text)
    if match:
        year, month = int(match["year"]), _month(match["m"])
        return date(year, month, 1), date(year, month, _last_day(year, month))
    # "Q3 2008" (calendar quarters)
    match = re.fullmatch(r"q(?P<q>[1-4]) " + _YEAR, text)
    if match:
        year, quarter = int(match["year"]), int(match["q"])
        first = 3 * quarter - 2
        return date(year, first, 1), date(year, first + 2, _last_day(year, first + 2))
    raise FuzzyDateError(
        f'"{text}" is not a date this service can read. Try "12 October 2008", "Early October 2008", '
        '"April/May 2008", "End of Sept 2008", "w/c 6 October 2008" or "To be decided".'
    )


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise FuzzyDateError(f"{day}/{month}/{year} is not a real date.") from None
