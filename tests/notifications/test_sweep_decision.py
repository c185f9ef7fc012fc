"""The decision deadline through the sweep, with a frozen clock (lifecycle.md, "Deadlines and
reminders"): nothing before the window, one early reminder, one on the day, then escalation every
working day; weekends and Vietnamese holidays send nothing."""

from datetime import date

import pytest
from django.core import mail

from notifications.models import Notification, Reminder
from notifications.services import reminders_sweep
from proposals.models import State
from workdays.models import CalendarException

from .conftest import DUE, on

pytestmark = pytest.mark.django_db


def sweep(day):
    with on(day):
        return reminders_sweep()


def received():
    return sorted(
        (n.recipient.username, n.kind) for n in Notification.objects.select_related("recipient")
    )


def new_after(day):
    before = set(Notification.objects.values_list("pk", flat=True))
    sweep(day)
    return sorted(
        (n.recipient.username, n.kind)
        for n in Notification.objects.exclude(pk__in=before).select_related("recipient")
    )


def test_the_whole_timeline(make_proposal, people):
    proposal = make_proposal()
    # Fri 24/4: the deadline is 3 working days away (28/4, 29/4, 4/5): nothing yet.
    assert new_after(date(2026, 4, 24)) == []
    # Sat 25/4, Sun 26/4 and Mon 27/4 (Hung Kings' day, observed): not working days.
    for day in (date(2026, 4, 25), date(2026, 4, 26), date(2026, 4, 27)):
        assert new_after(day) == []
    # Tue 28/4: 2 working days before: the early reminder, to the deciding unit's head only.
    assert new_after(date(2026, 4, 28)) == [("office_head", "early")]
    # Wed 29/4: still inside the window, but the early reminder went out already.
    assert new_after(date(2026, 4, 29)) == []
    # Thu 30/4, Fri 1/5 (holidays), the weekend: nothing.
    for day in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)):
        assert new_after(day) == []
    # Mon 4/5: the due day.
    assert new_after(DUE) == [("office_head", "due")]
    # Tue 5/5: overdue: the head again, and the parent unit's head and organization board.
    expected = [
        ("agency_board", "escalation"),
        ("agency_head", "escalation"),
        ("office_head", "overdue"),
    ]
    assert new_after(date(2026, 5, 5)) == expected
    # Once per working day: again on Wed 6/5, not twice that day, not on Saturday 9/5.
    assert new_after(date(2026, 5, 6)) == expected
    assert new_after(date(2026, 5, 6)) == []
    assert new_after(date(2026, 5, 9)) == []
    assert new_after(date(2026, 5, 11)) == expected
    # Decided: nothing more.
    from proposals.models import Proposal

    Proposal.objects.filter(pk=proposal.pk).update(state=State.APPROVED, decision_due=None)
    assert new_after(date(2026, 5, 12)) == []


def test_re_running_the_sweep_sends_nothing_new(make_proposal, people):
    make_proposal()
    first = sweep(date(2026, 5, 5))
    assert first.notifications == 3
    again = sweep(date(2026, 5, 5))
    assert (again.items, again.reminders, again.notifications) == (1, 0, 0)
    assert Notification.objects.count() == Reminder.objects.count() == 3


def test_nobody_else_is_told(make_proposal, people):
    make_proposal()
    for day in (date(2026, 4, 28), DUE, date(2026, 5, 5)):
        sweep(day)
    told = {username for username, _kind in received()}
    assert told == {"office_head", "agency_head", "agency_board"}


def test_the_notification_says_what_and_links_to_the_proposal(make_proposal, people):
    proposal = make_proposal()
    sweep(date(2026, 5, 5))
    vietnamese = Notification.objects.get(recipient=people.office_head)
    assert vietnamese.title.startswith("Quá hạn: ")
    assert proposal.code in vietnamese.title
    assert "04/05/2026" in vietnamese.body
    assert vietnamese.url == proposal.get_absolute_url()
    assert vietnamese.unit_id == proposal.deciding_unit_id
    english = Notification.objects.get(recipient=people.agency_head)  # language="en"
    assert english.title.startswith("Overdue in Phòng: Decision on the proposal")


def test_catch_up_after_missed_days(make_proposal, people):
    make_proposal()
    # The worker was down on 28/4: the early reminder still goes on 29/4.
    assert new_after(date(2026, 4, 29)) == [("office_head", "early")]


def test_catch_up_on_the_due_day_sends_the_due_reminder_only(make_proposal, people):
    make_proposal()
    assert new_after(DUE) == [("office_head", "due")]


def test_a_due_date_on_a_holiday_is_due_on_the_last_working_day_before_it(make_proposal, people):
    make_proposal(due=date(2026, 4, 30))  # Reunification Day
    assert new_after(date(2026, 4, 28)) == [("office_head", "early")]
    assert new_after(date(2026, 4, 29)) == [("office_head", "due")]
    assert ("office_head", "overdue") in new_after(date(2026, 5, 4))


def test_an_entered_day_off_is_skipped_and_a_make_up_day_counts(make_proposal, people):
    make_proposal(due=date(2026, 5, 4))
    CalendarException.objects.create(
        date=date(2026, 5, 5), kind=CalendarException.Kind.DAY_OFF, name="Nghỉ bù"
    )
    CalendarException.objects.create(
        date=date(2026, 5, 9), kind=CalendarException.Kind.WORKING_DAY, name="Làm bù"
    )
    assert new_after(date(2026, 5, 5)) == []
    assert ("office_head", "overdue") in new_after(date(2026, 5, 9))


def test_a_new_deadline_is_reminded_afresh(make_proposal, people):
    from proposals.models import Proposal

    proposal = make_proposal()
    sweep(DUE)
    Proposal.objects.filter(pk=proposal.pk).update(decision_due=date(2026, 5, 6))
    assert new_after(DUE) == [("office_head", "early")]


def test_under_review_is_covered_and_other_states_are_not(make_proposal, people):
    make_proposal(state=State.UNDER_REVIEW)
    make_proposal(state=State.RETURNED)
    make_proposal(state=State.APPROVED)
    assert new_after(DUE) == [("office_head", "due")]


def test_a_root_unit_escalates_to_its_own_organization_board(make_proposal, people, tree):
    make_proposal(unit=tree["province"])
    assert new_after(date(2026, 5, 5)) == [
        ("province_board", "escalation"),
        ("province_head", "overdue"),
    ]


def test_a_unit_without_a_head_still_escalates(make_proposal, people, tree):
    make_proposal(unit=tree["commune"])  # nobody holds a role in the commune
    assert new_after(DUE) == []
    assert new_after(date(2026, 5, 5)) == [
        ("province_board", "escalation"),
        ("province_head", "escalation"),
    ]


def test_inactive_users_get_nothing(make_proposal, people):
    people.office_head.is_active = False
    people.office_head.save()
    make_proposal()
    assert new_after(DUE) == []


def test_lead_days_is_a_setting(make_proposal, people, settings):
    settings.KL14_REMINDER_LEAD_DAYS = 3
    make_proposal()
    assert new_after(date(2026, 4, 24)) == [("office_head", "early")]


def test_immediate_e_mail_goes_after_commit(
    make_proposal, people, django_capture_on_commit_callbacks
):
    make_proposal()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sweep(date(2026, 5, 5))
    assert len(callbacks) == 1  # one task for the batch's e-mails
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (people.office_head, people.agency_head, people.agency_board)
    )
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
