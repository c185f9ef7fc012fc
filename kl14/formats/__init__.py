"""The one date, time and money format of KL14.

Django reads the per-language date formats from `kl14/formats/<lang>/formats.py`
(FORMAT_MODULE_PATH): Vietnamese dates are dd/mm/yyyy everywhere, whether a template writes
`|date:"SHORT_DATE_FORMAT"`, `|date` or Python calls `django.utils.formats.date_format`.
Amounts of money go through `money()` (templates: the `money` filter of `{% load kl14 %}`):
"1.234.567 đồng" in Vietnamese, "1,234,567 VND" in English. Python code that writes a date or an
amount for a person (e-mail, ledger rendering, reports) calls `day()`, `moment()` and `money()`."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _vietnamese() -> bool:
    return (get_language() or "vi").startswith("vi")


def group_thousands(value) -> str:
    """An integer part grouped by thousands with the language's separator; decimals kept
    (with the language's decimal separator), trailing zeros dropped."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    whole = int(number)
    fraction = number - whole
    grouped = f"{whole:,}"
    decimals = ""
    if fraction:
        decimals = format(fraction.normalize(), "f")[1:]  # ".25"
    if _vietnamese():
        grouped = grouped.replace(",", ".")
        decimals = decimals.replace(".", ",")
    return f"{sign}{grouped}{decimals}"


def money(value) -> str:
    """An amount of đồng for a person: "1.234.567 đồng" (vi), "1,234,567 VND" (en)."""
    if value is None or value == "":
        return ""
    amount = group_thousands(value)
    return _("%(amount)s VND") % {"amount": amount}


def day(value) -> str:
    """A date (or an ISO date string) as dd/mm/yyyy in Vietnamese."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_format(value, "SHORT_DATE_FORMAT")


def moment(value) -> str:
    """A date and time (aware datetime or ISO string) as dd/mm/yyyy HH:MM, local time."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "SHORT_DATETIME_FORMAT")
