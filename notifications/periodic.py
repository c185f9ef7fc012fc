"""Periodic reviews (sơ kết each quarter, tổng kết each year): which periods are due, and the
spreadsheet that summarises a unit's subtree for one of them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from workdays.calendar import add_working_days

from .models import PeriodicReview


@dataclass(frozen=True)
class Period:
    kind: str  # PeriodicReview.Period
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodicReview.Period.YEAR:
            return _("Yearly review (tổng kết) %(year)s") % {"year": self.start.year}
        return _("Quarterly review (sơ kết) Q%(quarter)s/%(year)s") % {
            "quarter": (self.start.month - 1) // 3 + 1,
            "year": self.start.year,
        }

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes [start, end + 1 day) in local time."""
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def periods_due(today: date) -> list[Period]:
    """The periods whose review goes out from the first working day of the quarter on: the last
    quarter, and in the first quarter also the last year."""
    start = quarter_start(today)
    if today < add_working_days(start - timedelta(days=1), 1):
        return []
    last_end = start - timedelta(days=1)
    periods = [Period(PeriodicReview.Period.QUARTER, quarter_start(last_end), last_end)]
    if start.month == 1:
        periods.append(Period(PeriodicReview.Period.YEAR, date(last_end.year, 1, 1), last_end))
    return periods


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None
