"""Demo data: one compensatory day off entered by the administrator, as a province would."""

from datetime import date

from .models import CalendarException


def seed(context):
    CalendarException.objects.get_or_create(
        date=date(2026, 1, 2),
        defaults={"kind": CalendarException.Kind.DAY_OFF, "name": "Nghỉ bù Tết Dương lịch"},
    )
