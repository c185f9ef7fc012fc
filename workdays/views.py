from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from . import calendar as workdays
from .permissions import can_manage_calendar
from .selectors import calendar_year

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _chosen_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


@login_required
def calendar(request):
    year = _chosen_year(request)
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "days": calendar_year(year),
            "working_days": workdays.working_days_between(
                date(year - 1, 12, 31), date(year, 12, 31)
            ),
            "can_manage": can_manage_calendar(request.user),
        },
    )
