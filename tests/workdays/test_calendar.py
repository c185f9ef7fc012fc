from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workdays.calendar import (
    add_working_days,
    deadline_from,
    is_working_day,
    working_days_between,
)
from workdays.models import CalendarException

pytestmark = pytest.mark.django_db

DAY_OFF = CalendarException.Kind.DAY_OFF
WORKING_DAY = CalendarException.Kind.WORKING_DAY


def vn_holidays(year):
    return holidays.country_holidays("VN", years=year)


def tet(year):
    """The Tết days off of a year as the holidays package gives them."""
    return sorted(day for day, name in vn_holidays(year).items() if "Lunar New Year" in name)


def exception(day, kind, name="Ngoại lệ"):
    return CalendarException.objects.create(date=day, kind=kind, name=name)


def test_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(date(2026, 11, 20))  # Friday
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert is_working_day(date(2026, 11, 23))  # Monday


@pytest.mark.parametrize(
    "day",
    [date(2026, 9, 2), date(2026, 9, 1), date(2026, 4, 30), date(2026, 5, 1), date(2026, 1, 1)],
)
def test_public_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


def test_tet_2027_is_off_as_the_holidays_package_gives_it():
    days = tet(2027)
    assert len(days) >= 5
    assert not any(is_working_day(day) for day in days)


def test_official_make_up_saturdays_are_working_days():
    makeup = vn_holidays(2026).weekend_workdays
    assert makeup  # the package lists the Saturday worked for the 2026 National Day bridge
    for day in makeup:
        if day.year == 2026:
            assert day.weekday() >= 5
            assert is_working_day(day)


def test_add_working_days_skips_the_weekend():
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday -> Monday
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # Saturday -> Monday
    assert add_working_days(date(2026, 12, 2), 7) == date(2026, 12, 11)


def test_add_working_days_skips_tet():
    days = tet(2027)
    before, after = days[0] - timedelta(days=1), days[-1] + timedelta(days=1)
    while not (after.weekday() < 5 and after not in vn_holidays(after.year)):
        after += timedelta(days=1)
    assert is_working_day(before)
    assert add_working_days(before, 1) == after
    assert add_working_days(after, -1) == before


def test_add_zero_working_days_returns_the_start_itself():
    saturday = date(2026, 11, 21)
    assert add_working_days(saturday, 0) == saturday


def test_negative_n_counts_backwards():
    assert add_working_days(date(2026, 12, 7), -1) == date(2026, 12, 4)
    assert add_working_days(date(2026, 12, 11), -5) == date(2026, 12, 4)
    assert add_working_days(date(2026, 12, 6), -1) == date(2026, 12, 4)  # from a Sunday


def test_a_day_off_exception_makes_a_weekday_off():
    exception(date(2026, 12, 7), DAY_OFF, "Nghỉ bù")
    assert not is_working_day(date(2026, 12, 7))
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)
    assert add_working_days(date(2026, 12, 8), -1) == date(2026, 12, 4)


def test_a_working_day_exception_wins_over_weekend_and_holiday():
    exception(date(2026, 12, 5), WORKING_DAY, "Làm bù")
    exception(date(2026, 9, 2), WORKING_DAY, "Làm bù")
    assert is_working_day(date(2026, 12, 5))
    assert is_working_day(date(2026, 9, 2))
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 5)


def test_working_days_between():
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 11)) == 5
    assert working_days_between(date(2026, 12, 11), date(2026, 12, 4)) == -5
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 4)) == 0
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 6)) == 0  # the weekend
    exception(date(2026, 12, 8), DAY_OFF)
    exception(date(2026, 12, 12), WORKING_DAY)
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 12)) == 5


@pytest.mark.parametrize("start", [date(2026, 8, 20), date(2026, 11, 21), date(2027, 1, 29)])
@pytest.mark.parametrize("n", [-30, -7, -1, 1, 2, 7, 15, 40])
def test_working_days_between_inverts_add_working_days(start, n):
    exception(date(2027, 2, 13), WORKING_DAY)
    exception(date(2026, 12, 31), DAY_OFF)
    end = add_working_days(start, n)
    assert is_working_day(end)
    if n > 0:
        assert working_days_between(start, end) == n
    else:
        # Counting back covers end <= d < start, the signed count end < d <= start: as end is a
        # working day, they differ only when start is not.
        assert working_days_between(start, end) == n + (not is_working_day(start))


def test_deadline_from_uses_the_local_date():
    # 16:30 UTC is 23:30 on Thursday in Vietnam; 17:30 UTC is 00:30 on Friday.
    thursday_night = datetime(2026, 11, 19, 16, 30, tzinfo=UTC)
    friday_morning = datetime(2026, 11, 19, 17, 30, tzinfo=UTC)
    assert deadline_from(thursday_night, 1) == date(2026, 11, 20)
    assert deadline_from(friday_morning, 1) == date(2026, 11, 23)
    assert deadline_from(date(2026, 11, 19), 1) == date(2026, 11, 20)
    assert deadline_from(datetime(2026, 11, 19, 23, 59), 1) == date(2026, 11, 20)  # naive: local


@pytest.mark.parametrize("n", [1, 7, 60, 400, -3, -250])
def test_add_working_days_reads_the_exceptions_once(n):
    for offset in range(0, 600, 45):
        exception(date(2026, 1, 5) + timedelta(days=offset), DAY_OFF)
    with CaptureQueriesContext(connection) as queries:
        add_working_days(date(2026, 6, 1), n)
    assert len(queries) == 1


def test_add_zero_working_days_reads_nothing():
    with CaptureQueriesContext(connection) as queries:
        add_working_days(date(2026, 6, 1), 0)
    assert len(queries) == 0


def test_a_long_run_of_entered_days_off_is_still_counted_correctly():
    start = date(2026, 12, 4)
    for offset in range(1, 60):
        exception(start + timedelta(days=offset), DAY_OFF)
    assert add_working_days(start, 1) == add_working_days(start + timedelta(days=59), 1)


def test_working_days_between_reads_the_exceptions_once():
    with CaptureQueriesContext(connection) as queries:
        working_days_between(date(2026, 1, 1), date(2028, 1, 1))
    assert len(queries) == 1


def test_a_snapshot_reads_the_exceptions_once_and_counts_as_outside_it():
    """The reminder sweep counts many deadlines inside one snapshot: one query for the whole
    block, the same dates as without it, the exceptions entered included."""
    from workdays.calendar import snapshot

    exception(date(2026, 12, 3), CalendarException.Kind.DAY_OFF)  # a Thursday off
    starts = [date(2026, 11, 20) + timedelta(days=i) for i in range(30)]
    outside = [add_working_days(day, n) for day in starts for n in (1, 5, 10, -3)]
    with CaptureQueriesContext(connection) as queries, snapshot():
        inside = [add_working_days(day, n) for day in starts for n in (1, 5, 10, -3)]
        again = add_working_days(starts[0], 5)  # remembered
        with snapshot():  # nested: the outer one serves
            nested = deadline_from(starts[0], 5)
    assert inside == outside and again == nested == outside[1]
    assert len(queries) == 1
    assert date(2026, 12, 3) not in inside  # the day off counted
    # An exception entered during a block counts from the next one.
    with snapshot():
        before = add_working_days(date(2026, 12, 7), 1)
        exception(date(2026, 12, 8), CalendarException.Kind.DAY_OFF)
        assert add_working_days(date(2026, 12, 7), 1) == before == date(2026, 12, 8)
    with snapshot():
        assert add_working_days(date(2026, 12, 7), 1) == date(2026, 12, 9)
