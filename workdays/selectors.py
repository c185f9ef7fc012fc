"""Reads for the calendar page: why each day of a year is, or is not, a working day."""

from dataclasses import dataclass
from datetime import date

import holidays
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .calendar import COUNTRY, _official_calendar, _officially_working
from .models import CalendarException


@dataclass(frozen=True)
class CalendarDay:
    date: date
    name: str
    source: str  # "holiday", "makeup" (both from the official calendar) or an exception kind
    source_label: str
    is_working: bool  # after the exceptions are applied


def _holiday_language() -> str:
    return "vi" if (get_language() or "vi").startswith("vi") else "en_US"


def calendar_year(year: int) -> list[CalendarDay]:
    """The public holidays and official make-up working days of the year (from the holidays
    package, in the current language) and the exceptions entered for it, by date: one query."""
    exceptions = list(CalendarException.objects.filter(date__year=year))
    overrides = {e.date: e.kind == CalendarException.Kind.WORKING_DAY for e in exceptions}

    def working(day: date) -> bool:
        return overrides.get(day, _officially_working(day))

    names = holidays.country_holidays(
        COUNTRY, years=(year - 1, year, year + 1), language=_holiday_language()
    )
    labels = {
        "holiday": _("Public holiday"),
        "makeup": _("Official make-up working day"),
        CalendarException.Kind.DAY_OFF: _("Extra day off (entered)"),
        CalendarException.Kind.WORKING_DAY: _("Make-up working day (entered)"),
    }
    days_off, weekend_workdays = _official_calendar(year)
    rows = [
        CalendarDay(day, names.get(day, ""), "holiday", labels["holiday"], working(day))
        for day in days_off
    ]
    rows += [
        CalendarDay(
            day, _("Worked in exchange for a day off"), "makeup", labels["makeup"], working(day)
        )
        for day in weekend_workdays
    ]
    rows += [
        CalendarDay(e.date, e.name, e.kind, labels[e.kind], working(e.date)) for e in exceptions
    ]
    # An exception sorts after the official entry for the same date: it is what applies.
    order = {"holiday": 0, "makeup": 0}
    return sorted(rows, key=lambda row: (row.date, order.get(row.source, 1)))
