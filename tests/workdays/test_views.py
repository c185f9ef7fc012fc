from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workdays.models import CalendarException

pytestmark = pytest.mark.django_db

URL = reverse("workdays:calendar")


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_the_page_lists_holidays_and_exceptions_of_the_year(client, cadre):
    CalendarException.objects.create(date=date(2026, 12, 7), kind="day_off", name="Nghỉ thêm")
    CalendarException.objects.create(date=date(2027, 1, 9), kind="working_day", name="Làm bù")
    client.force_login(cadre)
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quốc khánh" in html
    assert "02/09/2026" in html
    assert "Nghỉ thêm" in html
    assert "Làm bù" not in html
    assert "Lịch ngày làm việc 2026" in html


def test_an_invalid_year_shows_the_current_one(client, cadre):
    client.force_login(cadre)
    response = client.get(URL, {"year": "abc"})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_the_page_runs_a_fixed_number_of_queries(client, cadre):
    client.force_login(cadre)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"year": 2026}).status_code == 200
        return len(queries)

    CalendarException.objects.create(date=date(2026, 3, 2), kind="day_off", name="Một")
    few = count()
    for offset in range(1, 20):
        day = date(2026, 3, 2) + timedelta(days=offset * 7)
        CalendarException.objects.create(date=day, kind="day_off", name=f"Ngày {offset}")
    assert count() == few


def test_root_admin_manages_exceptions_in_the_admin(client, root_admin):
    client.force_login(root_admin)
    assert client.get(reverse("admin:workdays_calendarexception_changelist")).status_code == 200
    response = client.post(
        reverse("admin:workdays_calendarexception_add"),
        {"date": "2026-12-07", "kind": "day_off", "name": "Nghỉ bù"},
    )
    assert response.status_code == 302
    exception = CalendarException.objects.get()
    response = client.post(
        reverse("admin:workdays_calendarexception_change", args=[exception.pk]),
        {"date": "2026-12-08", "kind": "day_off", "name": "Nghỉ bù"},
    )
    assert response.status_code == 302
    assert CalendarException.objects.get().date == date(2026, 12, 8)
    response = client.post(
        reverse("admin:workdays_calendarexception_delete", args=[exception.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarException.objects.exists()


def test_a_subtree_admin_cannot_manage_the_calendar(client, agency_admin):
    client.force_login(agency_admin)
    response = client.get(reverse("admin:workdays_calendarexception_changelist"))
    assert response.status_code == 403
    response = client.post(
        reverse("admin:workdays_calendarexception_add"),
        {"date": "2026-12-07", "kind": "day_off", "name": "Nghỉ bù"},
    )
    assert response.status_code == 403
    assert not CalendarException.objects.exists()
