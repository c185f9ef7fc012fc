"""The range of dates the app accepts wherever a person types one (plans, milestones, inspections,
the evaluation meeting, report periods): 01/01/2000 to 31/12/2100. Outside it a date is a typing
mistake (0001-01-01, 9999-12-31), and date arithmetic near the year 9999 overflows."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def in_range(value: date) -> bool:
    return EARLIEST <= value <= LATEST


def out_of_range_message() -> str:
    return _("The date must be between %(earliest)s and %(latest)s.") % {
        "earliest": date_format(EARLIEST, "d/m/Y"),
        "latest": date_format(LATEST, "d/m/Y"),
    }


def validate_date_in_range(value):
    """A validator for form, serializer and model date fields."""
    if isinstance(value, date) and not in_range(value):
        raise ValidationError(out_of_range_message(), code="date_out_of_range")
