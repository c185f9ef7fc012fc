from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from kl14.errors import Forbidden, Invalid
from workdays.models import CalendarException
from workdays.permissions import can_manage_calendar
from workdays.services import (
    calendar_exception_create,
    calendar_exception_delete,
    calendar_exception_update,
)

pytestmark = pytest.mark.django_db

DAY_OFF = CalendarException.Kind.DAY_OFF


def create(actor, day=date(2026, 12, 7), kind=DAY_OFF, name="Nghỉ bù Quốc khánh"):
    return calendar_exception_create(day=day, kind=kind, name=name, actor=actor)


def test_only_superusers_and_root_admins_manage_the_calendar(
    tree, root_admin, agency_admin, cadre, superuser
):
    assert can_manage_calendar(superuser)
    assert can_manage_calendar(root_admin)
    assert not can_manage_calendar(agency_admin)
    assert not can_manage_calendar(cadre)
    assert not can_manage_calendar(AnonymousUser())


def test_root_admin_creates_an_exception(root_admin):
    created = create(root_admin, name="  Nghỉ bù Quốc khánh ")
    assert CalendarException.objects.get() == created
    assert (created.date, created.kind, created.name) == (
        date(2026, 12, 7),
        DAY_OFF,
        "Nghỉ bù Quốc khánh",
    )


def test_superuser_creates_an_exception(superuser):
    create(superuser)
    assert CalendarException.objects.count() == 1


@pytest.mark.parametrize("who", ["cadre", "agency_admin"])
def test_others_are_forbidden(request, who):
    with pytest.raises(Forbidden):
        create(request.getfixturevalue(who))
    assert not CalendarException.objects.exists()


def test_a_duplicate_date_is_invalid_in_vietnamese(root_admin):
    create(root_admin)
    with translation.override("vi"), pytest.raises(Invalid) as error:
        create(root_admin, name="Lần nữa")
    assert error.value.errors == {"date": ["Ngày này đã có ngày nghỉ hoặc ngày làm bù được nhập."]}
    assert CalendarException.objects.count() == 1


def test_an_unknown_kind_and_an_empty_name_are_invalid(root_admin):
    with pytest.raises(Invalid) as error:
        create(root_admin, kind="holiday", name=" ")
    assert set(error.value.errors) == {"kind", "name"}


def test_update_checks_the_date_against_the_others(root_admin, cadre):
    first = create(root_admin)
    second = create(root_admin, day=date(2026, 12, 8))
    with pytest.raises(Invalid):
        calendar_exception_update(
            exception=second, day=first.date, kind=DAY_OFF, name="x", actor=root_admin
        )
    with pytest.raises(Forbidden):
        calendar_exception_update(
            exception=second, day=second.date, kind=DAY_OFF, name="x", actor=cadre
        )
    calendar_exception_update(
        exception=second,
        day=second.date,
        kind=CalendarException.Kind.WORKING_DAY,
        name="Làm bù",
        actor=root_admin,
    )
    second.refresh_from_db()
    assert (second.kind, second.name) == ("working_day", "Làm bù")


def test_delete(root_admin, cadre):
    exception = create(root_admin)
    with pytest.raises(Forbidden):
        calendar_exception_delete(exception=exception, actor=cadre)
    calendar_exception_delete(exception=exception, actor=root_admin)
    assert not CalendarException.objects.exists()
