"""Deadlines in clock hours or in working hours, with England and Wales bank holidays. Pure Python: no ORM.

Working hours are 09:00 to 17:00 UK time (Europe/London, so British Summer Time is respected), Monday to
Friday, except the bank holidays of England and Wales. These come from the ``holidays`` library, which ships
them offline (no network call) and is updated as holidays are announced; a new pin brings new years.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

UK = ZoneInfo("Europe/London")
WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England's bank holidays are Wales's too (Scotland and Northern Ireland differ).
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _next_working_morning(day: date) -> datetime:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, WORKDAY_START, tzinfo=UK)


def add_working_time(start: datetime, duration: timedelta) -> datetime:
    """``start`` plus ``duration`` counted in working hours only; an aware datetime in UTC.

    Time before 09:00 on a working day counts from 09:00; time after 17:00, at weekends or on a bank holiday
    counts from 09:00 on the next working day. A deadline that falls exactly at 17:00 stays at 17:00.
    """
    if start.tzinfo is None:
        raise ValueError("add_working_time needs an aware datetime")
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    now = start.astimezone(UK)
    remaining = duration
    while True:
        day = now.date()
        opens = datetime.combine(day, WORKDAY_START, tzinfo=UK)
        closes = datetime.combine(day, WORKDAY_END, tzinfo=UK)
        if not is_working_day(day) or now >= closes:
            now = _next_working_morning(day)
            continue
        now = max(now, opens)
        available = closes - now
        if remaining <= available:
            return (now + remaining).astimezone(UTC)
        remaining -= available
        now = _next_working_morning(day)


def deadline_after(start: datetime, duration: timedelta, *, working_hours_only: bool) -> datetime:
    """The moment ``duration`` after ``start``: clock time, or working time when the agreement says so."""
    return add_working_time(start, duration) if working_hours_only else start + duration
