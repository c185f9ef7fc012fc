"""Dates outside 01/01/2000–31/12/2100 are a 400 with a clear message wherever the pilots app
takes one, through the API and the forms (issue 13: 9999-12-31 overflowed into a 500, 0001-01-01
was stored)."""

import datetime

import pytest
from django.utils import timezone

from pilots.models import ImplementationPlan, Inspection
from tests.factories.pilots import plan_data

from .test_api import client_for, plan_body, url
from .test_views import page, plan_post

pytestmark = pytest.mark.django_db

MESSAGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."
ODD = [datetime.date(1, 1, 1), datetime.date(1999, 12, 31), datetime.date(9999, 12, 31)]


def errors_of(response) -> str:
    return str(response.json())


@pytest.mark.parametrize("day", ODD, ids=str)
@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_plan_api_refuses_a_plan_date_out_of_range(org, approved, day, field):
    body = plan_body(org, **{field: day.isoformat()})
    response = client_for(org.head).put(url(approved, "plan/"), body, format="json")
    assert response.status_code == 400, response.content
    assert MESSAGE in errors_of(response)
    assert not ImplementationPlan.objects.filter(proposal=approved).exists()


def test_plan_api_refuses_a_start_near_the_end_of_the_calendar(org, approved):
    """9999-06-01 plus five years used to overflow (`year 10004 is out of range`)."""
    body = plan_body(org, start_date="9999-06-01", end_date="9999-12-31", milestones=[])
    response = client_for(org.head).put(url(approved, "plan/"), body, format="json")
    assert response.status_code == 400
    assert MESSAGE in errors_of(response)


def test_plan_api_refuses_a_milestone_out_of_range(org, approved):
    data = plan_data(monitors=[org.inspector.pk])
    data["milestones"][0]["due_date"] = datetime.date(9999, 1, 1)
    body = plan_body(org, milestones=data["milestones"])
    response = client_for(org.head).put(url(approved, "plan/"), body, format="json")
    assert response.status_code == 400
    assert f"Mốc công việc thứ 1: {MESSAGE}" in errors_of(response)


@pytest.mark.parametrize("day", ODD, ids=str)
def test_plan_form_refuses_a_date_out_of_range(client, org, approved, day):
    client.force_login(org.head)
    response = client.post(page(approved, "plan/"), plan_post(org, start_date=day))
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not ImplementationPlan.objects.filter(proposal=approved).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_inspection_api_refuses_a_date_out_of_range(org, running, day):
    body = {"date": day, "findings": "Ổn", "assessment": "good"}
    response = client_for(org.inspector).post(url(running, "inspections/"), body, format="json")
    assert response.status_code == 400
    assert MESSAGE in errors_of(response)
    assert not Inspection.objects.exists()


def test_inspection_form_refuses_a_date_out_of_range(client, org, running):
    client.force_login(org.inspector)
    body = {"date": "0001-01-01", "findings": "Ổn", "assessment": "good"}
    response = client.post(page(running, "inspections/"), body)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_inspection_today_is_still_accepted(org, running):
    body = {"date": timezone.localdate().isoformat(), "findings": "Ổn", "assessment": "good"}
    response = client_for(org.inspector).post(url(running, "inspections/"), body, format="json")
    assert response.status_code == 201
