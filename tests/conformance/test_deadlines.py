"""lifecycle.md, "Deadlines": decision 7 working days after `submitted` (and again after an
escalation), final report 5 after `ended`, evaluation 7 after the final report, responsibility
decision 15 (a setting) after `responsibility_review` — counted on a frozen clock, in Vietnam's
time zone, across weekends, Vietnamese public holidays, make-up working days and the exceptions
an admin enters. The expected dates are counted by hand from the 2026 calendar:

    Apr 2026: Sun 26 Hùng Kings (observed Mon 27), Thu 30 Liberation Day, Fri May 1 Labour Day
    Feb 2026: Mon 16 – Fri 20 Tết
    Aug/Sep 2026: Sat Aug 22 a make-up working day; Mon Aug 31, Tue Sep 1, Wed Sep 2 off
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.deadlines import Directory, get
from reviews.selectors import review_record
from tests.factories.proposals import fresh
from workdays.models import CalendarException

from .life import S, cadre_draft, drive, entries, fire, prepare, step

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=VN)


def deadline_item(key, proposal):
    """The item the reminders sweep sees for this proposal under deadline kind `key`."""
    items = [
        item
        for batch in get(key).batches(due_by=D(2030, 1, 1), directory=Directory())
        for item in batch
        if item.item_id == proposal.pk
    ]
    assert len(items) == 1, items
    return items[0]


DECISION = [
    # moment of submission, decision due
    (at(2026, 4, 24, 9), D(2026, 5, 8)),  # weekend, Hùng Kings (observed), 30/4, 1/5
    (at(2026, 4, 24, 1, 30), D(2026, 5, 8)),  # 18:30 UTC on Thursday is Friday in Vietnam
    (at(2026, 8, 21, 10), D(2026, 9, 3)),  # Saturday 22/8 is worked; 31/8–2/9 are off
    (at(2026, 2, 13, 10), D(2026, 3, 3)),  # Tết
    (at(2026, 5, 4, 10), D(2026, 5, 13)),  # an ordinary fortnight
]


@pytest.mark.parametrize(("moment", "due"), DECISION, ids=[str(d) for _m, d in DECISION])
def test_decision_due_seven_working_days_after_submission(org, moment, due):
    draft = cadre_draft(org)
    with time_machine.travel(moment, tick=False):
        proposal = fire(org, draft, "submit")
    assert proposal.decision_due == due
    assert entries(proposal)[-1].payload["decision_due"] == due.isoformat()
    assert deadline_item("proposals.decision", proposal).due == due


def test_an_escalation_sets_a_new_decision_due_date(org):
    draft = cadre_draft(org)
    with time_machine.travel(at(2026, 4, 24, 9), tick=False):
        proposal = fire(org, draft, "submit")
    with time_machine.travel(at(2026, 5, 4, 10), tick=False):
        proposal = fire(org, proposal, "escalate")
    assert proposal.decision_due == D(2026, 5, 13)
    item = deadline_item("proposals.decision", proposal)
    assert item.due == D(2026, 5, 13)
    assert item.unit_id == org.province.pk


@pytest.mark.parametrize(
    ("exceptions", "due"),
    [
        ({D(2026, 5, 5): "day_off"}, D(2026, 5, 11)),  # a compensatory day off
        ({D(2026, 5, 2): "working_day"}, D(2026, 5, 7)),  # a make-up Saturday
    ],
)
def test_the_exceptions_an_admin_enters_count(org, exceptions, due):
    for day, kind in exceptions.items():
        CalendarException.objects.create(date=day, kind=kind, name="Điều chỉnh")
    with time_machine.travel(at(2026, 4, 24, 9), tick=False):
        proposal = fire(org, cadre_draft(org), "submit")
    assert proposal.decision_due == due


@pytest.mark.parametrize("how", ["complete", "terminate"])
def test_final_report_due_five_working_days_after_the_work_ended(org, how):
    moment = at(2026, 4, 24, 9)
    with time_machine.travel(moment - datetime.timedelta(days=14), tick=False):
        proposal = drive(org, cadre_draft(org), S.IN_PROGRESS)
    with time_machine.travel(moment, tick=False):
        proposal = fire(org, proposal, how)
    assert proposal.state == S.ENDED
    assert proposal.plan.final_report_due == D(2026, 5, 6)
    assert entries(proposal)[-1].payload["final_report_due"] == "2026-05-06"
    assert deadline_item("pilots.final_report", proposal).due == D(2026, 5, 6)


def test_evaluation_due_seven_working_days_after_the_final_report(org):
    with time_machine.travel(at(2026, 4, 10, 9), tick=False):
        proposal = drive(org, cadre_draft(org), S.ENDED)
    with time_machine.travel(at(2026, 4, 24, 9), tick=False):
        proposal = step(org, proposal, S.EVALUATING)
    assert review_record(proposal).due == D(2026, 5, 8)
    assert deadline_item("reviews.evaluation", proposal).due == D(2026, 5, 8)
    with time_machine.travel(at(2026, 5, 4, 9), tick=False):
        step(org, proposal, S.SUCCEEDED)
    assert fresh(proposal).evaluation.due == D(2026, 5, 8)


@pytest.mark.parametrize(("days", "due"), [(None, D(2026, 5, 20)), (10, D(2026, 5, 13))])
def test_responsibility_decision_due_after_the_evaluation(org, settings, days, due):
    if days is not None:
        settings.KL14_RESPONSIBILITY_DECISION_DAYS = days
    else:
        assert settings.KL14_RESPONSIBILITY_DECISION_DAYS == 15
    with time_machine.travel(at(2026, 4, 10, 9), tick=False):
        proposal = drive(org, cadre_draft(org), S.EVALUATING)
        prepare(org, proposal, "evaluate", outcome="partial")
    with time_machine.travel(at(2026, 4, 24, 9), tick=False):
        proposal = fire(org, proposal, "evaluate", outcome="partial")
    assert proposal.state == S.RESPONSIBILITY_REVIEW
    assert review_record(proposal).due == due
    assert deadline_item("reviews.responsibility", proposal).due == due
    with time_machine.travel(at(2026, 5, 4, 9), tick=False):
        step(org, proposal, S.REDUCED)
    assert fresh(proposal).responsibility_decisions.get().due == due


def test_overdue_decisions_and_reviews_escalate_to_the_parent_unit(org):
    """lifecycle.md: once overdue, the sweep escalates "to the head and organization board of the
    parent unit" — the parent of the unit that must act."""
    submitted = drive(org, cadre_draft(org), S.SUBMITTED)
    assert deadline_item("proposals.decision", submitted).escalation_unit_id == org.province.pk
    evaluating = drive(org, cadre_draft(org), S.EVALUATING)
    assert deadline_item("reviews.evaluation", evaluating).escalation_unit_id == org.province.pk


@pytest.mark.parametrize("key", ["pilots.final_report", "pilots.progress_report"])
def test_overdue_reports_escalate_to_the_parent_unit(org, key):
    state = S.ENDED if key == "pilots.final_report" else S.IN_PROGRESS
    proposal = drive(org, cadre_draft(org), state)
    assert deadline_item(key, proposal).escalation_unit_id == org.province.pk
