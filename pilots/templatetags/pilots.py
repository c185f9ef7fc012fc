from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from ..planning import decimal_text

register = template.Library()


@register.filter
def kpi_number(value):
    """A KPI number without trailing zeros, with the decimal separator of the language."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(decimal_text(value)))


@register.filter
def vnd(value):
    """An amount of đồng with its thousands grouped: 500.000.000 in Vietnamese, 500,000,000 in
    English (Django's Vietnamese formats do not group)."""
    if value is None or value == "":
        return ""
    grouped = f"{int(value):,}"
    return grouped.replace(",", ".") if (get_language() or "vi").startswith("vi") else grouped
