from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kl14.errors import Forbidden, Invalid

from .models import CalendarException
from .permissions import can_manage_calendar


def _check_allowed(actor) -> None:
    """`actor=None` is a trusted system call (a management command, the demo data)."""
    if actor is not None and not can_manage_calendar(actor):
        raise Forbidden()


def _validate(*, day, kind, name, exclude_pk=None) -> str:
    errors: dict[str, list[str]] = {}
    if not isinstance(day, date) or isinstance(day, datetime):
        errors["date"] = [_("Enter a valid date.")]
    else:
        taken = CalendarException.objects.filter(date=day)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors["date"] = [_("This date already has a calendar exception.")]
    if kind not in CalendarException.Kind.values:
        errors["kind"] = [_("Unknown kind of day.")]
    name = (name or "").strip()
    max_length = CalendarException._meta.get_field("name").max_length
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > max_length:
        errors["name"] = [_("The name is too long.")]
    if errors:
        raise Invalid(errors=errors)
    return name


def _save(exception: CalendarException, **kwargs) -> None:
    """Saves in a savepoint so that a concurrent entry for the same date reads as a duplicate."""
    try:
        with transaction.atomic():
            exception.save(**kwargs)
    except IntegrityError:
        raise Invalid(errors={"date": [_("This date already has a calendar exception.")]}) from None


@transaction.atomic
def calendar_exception_create(*, day: date, kind: str, name: str, actor) -> CalendarException:
    _check_allowed(actor)
    name = _validate(day=day, kind=kind, name=name)
    exception = CalendarException(date=day, kind=kind, name=name)
    _save(exception)
    return exception


calendar_exception_create.alters_data = True


@transaction.atomic
def calendar_exception_update(
    *, exception: CalendarException, day: date, kind: str, name: str, actor
) -> CalendarException:
    _check_allowed(actor)
    name = _validate(day=day, kind=kind, name=name, exclude_pk=exception.pk)
    exception.date, exception.kind, exception.name = day, kind, name
    _save(exception, update_fields=["date", "kind", "name"])
    return exception


calendar_exception_update.alters_data = True


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException, actor) -> None:
    _check_allowed(actor)
    exception.delete()


calendar_exception_delete.alters_data = True
