"""Periodic reviews: sơ kết each quarter, tổng kết each year, with the subtree's summary."""

import io
from datetime import date, datetime

import pytest
from django.core import mail
from openpyxl import load_workbook

from notifications.models import Notification, PeriodicReview
from notifications.periodic import periods_due
from notifications.services import periodic_reviews_send
from proposals.models import State

from .conftest import VN

pytestmark = pytest.mark.django_db

FIRST_WORKING_DAY_OF_Q2 = date(2026, 4, 1)


def at(*args):
    return datetime(*args, 9, 0, tzinfo=VN)


def test_the_periods_due():
    assert [(p.kind, p.start, p.end) for p in periods_due(FIRST_WORKING_DAY_OF_Q2)] == [
        ("quarter", date(2026, 1, 1), date(2026, 3, 31))
    ]
    # 1/1/2027 is New Year's Day: the reviews wait for the first working day, Monday 4/1.
    assert periods_due(date(2027, 1, 1)) == []
    assert [(p.kind, p.start, p.end) for p in periods_due(date(2027, 1, 4))] == [
        ("quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("year", date(2026, 1, 1), date(2026, 12, 31)),
    ]


@pytest.fixture
def quarter(make_proposal, tree):
    """The office's first quarter of 2026."""
    # Submitted Mon 2/3, due 11/3 (7 working days), decided Thu 5/3: on time.
    make_proposal(
        state=State.APPROVED, submitted_at=at(2026, 3, 2), decided_at=at(2026, 3, 5), due=None
    )
    # Submitted Mon 2/2, due Wed 11/2, decided 10/3: late.
    make_proposal(
        state=State.REJECTED, submitted_at=at(2026, 2, 2), decided_at=at(2026, 3, 10), due=None
    )
    # Still waiting, due 20/3: overdue at the end of the quarter.
    make_proposal(submitted_at=at(2026, 3, 11), due=date(2026, 3, 20))
    # Submitted after the quarter: not counted.
    make_proposal(submitted_at=at(2026, 4, 1), due=date(2026, 4, 10))
    # A success elsewhere in the tree, outside the office's subtree.
    make_proposal(state=State.SUCCEEDED, submitted_at=at(2025, 11, 3))
    from proposals.models import Proposal

    Proposal.objects.filter(state=State.SUCCEEDED).update(home_unit=tree["commune"])
    # The rows above were written past the services (and their ledger entries), as a bulk load
    # would be: the dashboard's roll-ups are recomputed from them, as after a bulk load.
    from reviews import rollups

    rollups.rebuild()


def test_each_board_member_gets_the_review_once(
    quarter, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic_reviews_send(today=FIRST_WORKING_DAY_OF_Q2) == 3
    boards = {"office_board", "agency_board", "province_board"}
    notifications = Notification.objects.select_related("recipient", "review")
    assert {n.recipient.username for n in notifications} == boards
    assert all(n.kind == "review" and n.review.period == "quarter" for n in notifications)
    office = notifications.get(recipient=people.office_board)
    assert office.title == "Sơ kết quý 1/2026: báo cáo tổng hợp của Phòng"
    assert office.url == f"/notifications/reviews/{office.review_id}/report/"
    # The e-mail carries the spreadsheet.
    message = next(m for m in mail.outbox if m.to == [people.office_board.email])
    ((name, content, mimetype),) = message.attachments
    assert name == "P-A-O-quarter-2026-01.xlsx" and mimetype.endswith("spreadsheetml.sheet")
    assert content[:2] == b"PK"
    # Again, or the next day: nothing new.
    assert periodic_reviews_send(today=FIRST_WORKING_DAY_OF_Q2) == 0
    assert periodic_reviews_send(today=date(2026, 4, 2)) == 0
    assert PeriodicReview.objects.count() == 3


def test_nothing_on_a_non_working_day(quarter, people):
    assert periodic_reviews_send(today=date(2026, 4, 4)) == 0  # Saturday


def test_the_summary_of_the_subtree(quarter, people, tree):
    """The attachment is the period report of reviews.reports (one builder for both)."""
    periodic_reviews_send(today=FIRST_WORKING_DAY_OF_Q2)
    review = PeriodicReview.objects.get(unit=tree["agency"])
    workbook = load_workbook(io.BytesIO(review.report.read()))
    summary = {}
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        if row[0]:
            summary.setdefault(row[0], row[1])  # the figures come before the table of states
    assert "Sơ kết quý 1/2026 — Sở" in summary
    assert summary["Trình trong kỳ"] == 3  # the one submitted in April is not counted
    assert summary["Quyết định trong kỳ"] == 2
    assert summary["Đã phê duyệt"] == 1
    decisions = list(workbook.worksheets[2].iter_rows(values_only=True))[1:]
    assert len(decisions) == 2
    by_unit = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)][1:]
    assert by_unit == ["P-A", "P-A-O"]
    province = PeriodicReview.objects.get(unit=tree["province"])
    title = load_workbook(io.BytesIO(province.report.read())).worksheets[0]["A1"].value
    assert title == "Sơ kết quý 1/2026 — Tỉnh"


def test_the_report_is_for_those_who_oversee_the_unit(quarter, people, tree, client):
    periodic_reviews_send(today=FIRST_WORKING_DAY_OF_Q2)
    review = PeriodicReview.objects.get(unit=tree["office"])
    url = f"/notifications/reviews/{review.pk}/report/"
    for user, status in [
        (people.office_board, 200),
        (people.province_board, 200),
        (people.author, 404),
        (people.office_head, 404),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user.username
    client.force_login(people.agency_board)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content)[:2] == b"PK"
