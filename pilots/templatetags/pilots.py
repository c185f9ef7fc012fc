from decimal import Decimal

from django import template
from django.utils.formats import number_format

from ..planning import decimal_text

register = template.Library()


@register.filter
def kpi_number(value):
    """A KPI number without trailing zeros, with the decimal separator of the language."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(decimal_text(value)))
