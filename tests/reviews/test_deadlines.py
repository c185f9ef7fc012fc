"""The review stage's deadlines in the reminders sweep: the evaluation 7 working days after the
final report, the responsibility decision 15 (a setting) working days after the evaluation."""

import datetime

import pytest
from django.utils import timezone

from notifications import deadlines
from notifications.deadlines import Directory
from notifications.models import Notification
from notifications.services import reminders_sweep
from proposals.models import State
from tests.factories.proposals import in_state

pytestmark = pytest.mark.django_db

# Friday 6 March 2026, 9:00 in Vietnam.
FRIDAY = datetime.datetime(2026, 3, 6, 9, tzinfo=timezone.get_default_timezone())


def items(key, due_by):
    kind = deadlines.get(key)
    return [item for batch in kind.batches(due_by=due_by, directory=Directory()) for item in batch]


def test_both_kinds_are_registered():
    keys = {kind.key for kind in deadlines.kinds()}
    assert {"reviews.evaluation", "reviews.responsibility"} <= keys


def test_evaluation_due_seven_working_days_after_the_final_report(org, proposal):
    proposal = in_state(proposal, State.EVALUATING, mode="pilot", state_changed_at=FRIDAY)
    due = datetime.date(2026, 3, 17)
    [item] = items("reviews.evaluation", due)
    assert item.item_id == proposal.pk
    assert item.due == due
    assert item.responsible_ids == {org.head.pk}
    assert item.escalation_unit_id == org.province.pk
    assert proposal.code in item.subject


def test_responsibility_decision_due_after_the_setting(org, proposal, settings):
    settings.KL14_RESPONSIBILITY_DECISION_DAYS = 15
    proposal = in_state(
        proposal, State.RESPONSIBILITY_REVIEW, mode="pilot", state_changed_at=FRIDAY
    )
    [item] = items("reviews.responsibility", datetime.date(2026, 4, 30))
    assert item.due == datetime.date(2026, 3, 27)
    settings.KL14_RESPONSIBILITY_DECISION_DAYS = 3
    [item] = items("reviews.responsibility", datetime.date(2026, 4, 30))
    assert item.due == datetime.date(2026, 3, 11)


def test_items_not_yet_due_are_left_out(org, proposal):
    in_state(proposal, State.EVALUATING, mode="pilot", state_changed_at=FRIDAY)
    assert items("reviews.evaluation", datetime.date(2026, 3, 12)) == []


@pytest.mark.parametrize("state", ["succeeded", "in_progress", "reduced"])
def test_other_states_have_no_review_deadline(org, proposal, state):
    in_state(proposal, state, mode="pilot", state_changed_at=FRIDAY)
    assert items("reviews.evaluation", datetime.date(2026, 12, 31)) == []
    assert items("reviews.responsibility", datetime.date(2026, 12, 31)) == []


def test_the_sweep_reminds_the_head_and_escalates_when_overdue(org, proposal):
    in_state(proposal, State.EVALUATING, mode="pilot", state_changed_at=FRIDAY)
    reminders_sweep(today=datetime.date(2026, 3, 17))
    assert Notification.objects.filter(recipient=org.head, kind="due").exists()
    reminders_sweep(today=datetime.date(2026, 3, 18))
    assert Notification.objects.filter(recipient=org.head, kind="overdue").exists()
    assert Notification.objects.filter(recipient=org.orgboard, kind="escalation").exists()
    assert Notification.objects.filter(recipient=org.province_head, kind="escalation").exists()


def test_the_authors_are_reminded_of_their_right_to_explain(org, proposal, settings):
    """Amendment (2026-11-29): each author may explain before the decision on them; those who
    have not explained (nor been decided on) are reminded; none once there is no period."""
    from reviews.responsibility import responsibility_explain

    settings.KL14_RESPONSIBILITY_EXPLANATION_DAYS = 5
    entered = timezone.now()
    proposal = in_state(
        proposal, State.RESPONSIBILITY_REVIEW, mode="pilot", state_changed_at=entered
    )
    due_by = timezone.localdate() + datetime.timedelta(days=30)
    [item] = items("reviews.responsibility_explanation", due_by)
    assert item.responsible_ids == {org.cadre.pk, org.cadre2.pk}
    assert item.escalation_unit_id is None
    responsibility_explain(proposal=proposal, actor=org.cadre, text="Giải trình.")
    [item] = items("reviews.responsibility_explanation", due_by)
    assert item.responsible_ids == {org.cadre2.pk}
    settings.KL14_RESPONSIBILITY_EXPLANATION_DAYS = 0
    assert items("reviews.responsibility_explanation", due_by) == []
