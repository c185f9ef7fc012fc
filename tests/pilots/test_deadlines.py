"""The deadlines of the implementation stage in the reminders sweep."""

import datetime

import pytest

from notifications import deadlines
from notifications.deadlines import Directory
from notifications.models import Notification
from notifications.services import reminders_sweep
from pilots import services
from pilots.deadlines import FinalReportDeadline, ProgressReportDeadline
from pilots.models import ImplementationPlan
from tests.factories.proposals import fresh
from workdays.calendar import add_working_days

pytestmark = pytest.mark.django_db


def items(kind, due_by):
    directory = Directory()
    return [item for batch in kind.batches(due_by=due_by, directory=directory) for item in batch]


def test_both_kinds_are_registered():
    assert isinstance(deadlines.get("pilots.progress_report"), ProgressReportDeadline)
    assert isinstance(deadlines.get("pilots.final_report"), FinalReportDeadline)


def test_the_next_progress_report_is_due_from_the_authors(org, running):
    plan = ImplementationPlan.objects.get(proposal=running)
    kind = deadlines.get("pilots.progress_report")
    assert items(kind, plan.next_report_due - datetime.timedelta(days=1)) == []
    (item,) = items(kind, plan.next_report_due)
    assert item.item_id == running.pk and item.due == plan.next_report_due
    assert item.responsible_ids == {org.cadre.pk}
    assert item.escalation_unit_id == org.province.pk
    assert item.url == f"/pilots/{running.pk}/"
    assert item.subject.startswith(running.code)

    services.report_file(proposal=running, actor=org.cadre, narrative="Kỳ 1")
    (item,) = items(kind, add_working_days(plan.next_report_due, 60))
    assert item.due == ImplementationPlan.objects.get(pk=plan.pk).next_report_due

    services.pilot_suspend(proposal=fresh(running), actor=org.head, reason="x")
    assert items(kind, add_working_days(plan.next_report_due, 60)) == []


def test_the_final_report_after_the_end(org, running):
    kind = deadlines.get("pilots.final_report")
    services.pilot_complete(proposal=running, actor=org.cadre)
    plan = ImplementationPlan.objects.get(proposal=running)
    (item,) = items(kind, plan.final_report_due)
    assert item.due == plan.final_report_due and item.responsible_ids == {org.cadre.pk}
    assert items(deadlines.get("pilots.progress_report"), plan.final_report_due) == []


@pytest.fixture
def only_pilot_kinds(monkeypatch):
    """The sweep over this app's kinds only: other apps' kinds are tested by their apps."""
    mine = {key: kind for key, kind in deadlines._registry.items() if key.startswith("pilots.")}
    monkeypatch.setattr(deadlines, "_registry", mine)


def test_the_sweep_reminds_the_authors_then_escalates_to_the_parent_unit(
    org, running, only_pilot_kinds
):
    due = ImplementationPlan.objects.get(proposal=running).next_report_due
    reminders_sweep(today=due)
    assert Notification.objects.filter(recipient=org.cadre, reminder__isnull=False).count() == 1
    reminders_sweep(today=add_working_days(due, 1))
    assert Notification.objects.filter(recipient=org.cadre, reminder__isnull=False).count() == 2
    # lifecycle.md: the head and organization board of the parent unit (the province).
    assert Notification.objects.filter(recipient=org.province_head, kind="escalation").count() == 1
    assert not Notification.objects.filter(recipient=org.head, kind="escalation").exists()
    reminders_sweep(today=add_working_days(due, 1))  # nothing twice
    assert Notification.objects.filter(recipient=org.cadre, reminder__isnull=False).count() == 2
