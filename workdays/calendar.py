"""The Vietnamese working-day calendar that every KL14 deadline is counted in.

A day is a working day when it is Monday to Friday and not a public holiday of the `holidays`
package's VN calendar (Tết and the other days off it gives, with their observed and substituted
days), or a weekend day the package lists as a make-up working day. A `CalendarException` entered
by an administrator overrides all of that for its date.

Each public function reads the exceptions of the whole range it needs in one query (none when
nothing needs counting), so results are current in every process without a cache to invalidate.
A batch over many deadlines (the reminder sweep) runs inside `snapshot()`: the exceptions are
read once for the whole block and each result is remembered until it ends.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from .models import CalendarException

__all__ = [
    "add_working_days",
    "deadline_from",
    "is_working_day",
    "snapshot",
    "working_days_between",
]

COUNTRY = "VN"
ONE_DAY = timedelta(days=1)
WEEKEND = (5, 6)  # Saturday, Sunday


@lru_cache(maxsize=32)
def _official_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up weekend working days) of one year, from the holidays package.

    The neighbouring years are generated too so that a substitute day that falls across New Year
    is not missed; only this year's dates are kept."""
    calendar = holidays.country_holidays(COUNTRY, years=(year - 1, year, year + 1))
    days_off = frozenset(day for day in calendar if day.year == year)
    weekend_workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, weekend_workdays


def _officially_working(day: date) -> bool:
    days_off, weekend_workdays = _official_calendar(day.year)
    if day.weekday() in WEEKEND:
        return day in weekend_workdays
    return day not in days_off


# Inside snapshot(): {"exceptions": every exception, "added": {(start, n): result}}.
_snapshot: ContextVar[dict | None] = ContextVar("kl14_calendar_snapshot", default=None)


def _read(rows) -> dict[date, bool]:
    return {day: kind == CalendarException.Kind.WORKING_DAY for day, kind in rows}


def _exceptions(first: date, last: date) -> dict[date, bool]:
    """{date: is a working day} for the exceptions between first and last inclusive: one query
    (none inside a snapshot, whose exceptions are all of them: a superset serves as well)."""
    taken = _snapshot.get()
    if taken is not None:
        return taken["exceptions"]
    rows = CalendarException.objects.filter(date__range=(first, last)).values_list("date", "kind")
    return _read(rows)


@contextmanager
def snapshot():
    """Within the block, the calendar reads every exception once (they are the few days an
    administrator entered) and remembers each `add_working_days` result: a sweep over a million
    deadlines counts from a handful of distinct dates. An exception entered meanwhile counts
    from the next block. A block inside another uses the outer one."""
    if _snapshot.get() is not None:
        yield
        return
    rows = CalendarException.objects.values_list("date", "kind")
    token = _snapshot.set({"exceptions": _read(rows), "added": {}})
    try:
        yield
    finally:
        _snapshot.reset(token)


def _is_working(day: date, exceptions: dict[date, bool]) -> bool:
    override = exceptions.get(day)
    return _officially_working(day) if override is None else override


def is_working_day(day: date) -> bool:
    return _is_working(day, _exceptions(day, day))


def add_working_days(start: date, n: int) -> date:
    """The date n working days after `start` (before it when n is negative); `start` itself is
    not counted, so n=0 returns `start` whatever day it is."""
    if n == 0:
        return start
    taken = _snapshot.get()
    if taken is not None:
        key = (start, n)
        if key not in taken["added"]:
            taken["added"][key] = _add_working_days(start, n)
        return taken["added"][key]
    return _add_working_days(start, n)


def _add_working_days(start: date, n: int) -> date:
    step = ONE_DAY if n > 0 else -ONE_DAY
    # Wide enough for any real run of days off (Tết is about nine with its weekends), so the
    # exceptions are read once; only a longer run of entered days off reads one more window.
    span = (abs(n) * 2 + 31) * step
    remaining = abs(n)
    day = horizon = start  # exceptions are loaded for every day after start up to horizon
    exceptions: dict[date, bool] = {}
    while remaining:
        day += step
        if day == horizon + step:
            horizon = day + span
            exceptions = _exceptions(min(day, horizon), max(day, horizon))
        if _is_working(day, exceptions):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days d satisfy start < d <= end; negative (the count of end < d <= start)
    when end is before start."""
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    exceptions = _exceptions(start + ONE_DAY, end)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        count += _is_working(day, exceptions)
    return count


def deadline_from(moment: datetime | date, n: int) -> date:
    """n working days after the local date (settings.TIME_ZONE) of `moment`.

    An aware datetime is converted to local time first (so 18:00 UTC is already the next day in
    Vietnam); a naive datetime is taken as local time; a date is used as it is."""
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment, timezone.get_default_timezone())
        moment = moment.date()
    return add_working_days(moment, n)
