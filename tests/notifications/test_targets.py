"""A notification's link opens only where the recipient may look (notifications.targets): an
overdue item escalated to the head of the unit above, who may not see it (lifecycle.md,
"Visibility"), or a notification of a role given up since, shows the notification itself with
why, never a 404 (found by crawling `make run` as the demo's provincial People's Committee head)."""

import html
from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse

from notifications import targets
from notifications.models import Notification
from notifications.services import notifications_create, reminders_sweep
from units.models import Membership

from .conftest import on

pytestmark = pytest.mark.django_db

WHY_VI = "Trang mà thông báo này dẫn tới không thuộc phạm vi đồng chí được xem"


def opened(client, user, notification):
    client.force_login(user)
    return client.get(reverse("notifications:open", args=[notification.pk]))


def test_an_escalation_the_head_above_may_not_see_shows_itself(make_proposal, people, client):
    proposal = make_proposal()
    with on(date(2026, 5, 5)):
        reminders_sweep()
    escalation = Notification.objects.get(recipient=people.agency_head, kind="escalation")
    assert escalation.url == proposal.get_absolute_url()
    client.force_login(people.agency_head)
    assert client.get(escalation.url).status_code == 404  # the page is not the head's to see

    response = opened(client, people.agency_head, escalation)
    assert response.status_code == 200
    body = response.content.decode()
    assert html.escape(escalation.title) in body  # in the recipient's language (English)
    assert WHY_VI in body  # the page: the session's language (Vietnamese by default)
    assert f'href="{escalation.url}"' not in body
    escalation.refresh_from_db()
    assert escalation.read_at is not None

    # The organization board above oversees the subtree: its escalation goes on to the page.
    board = Notification.objects.get(recipient=people.agency_board, kind="escalation")
    response = opened(client, people.agency_board, board)
    assert (response.status_code, response.url) == (302, proposal.get_absolute_url())
    assert client.get(response.url).status_code == 200
    # So does the deciding head's own overdue reminder.
    overdue = Notification.objects.get(recipient=people.office_head, kind="overdue")
    response = opened(client, people.office_head, overdue)
    assert (response.status_code, response.url) == (302, proposal.get_absolute_url())


def test_a_role_given_up_since_shows_the_notification(make_proposal, people, client):
    proposal = make_proposal()
    (notification,) = notifications_create(
        recipient_ids=[people.office_head.pk],
        kind="action",
        title="Đề xuất chờ đồng chí quyết định",
        url=proposal.get_absolute_url(),
    )
    assert opened(client, people.office_head, notification).status_code == 302
    Membership.objects.filter(user=people.office_head).delete()
    response = opened(client, people.office_head, notification)
    assert response.status_code == 200
    assert WHY_VI in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/proposals/999999/", "/pilots/999999/", "/reviews/999999/abuse/", "/no/such/page/"]
)
def test_a_link_to_nothing_shows_the_notification(people, client, url):
    (notification,) = notifications_create(
        recipient_ids=[people.author.pk], kind="update", title="Cập nhật", url=url
    )
    assert not targets.opens(people.author, url)
    response = opened(client, people.author, notification)
    assert response.status_code == 200 and WHY_VI in response.content.decode()


def test_a_page_nobody_checks_opens(people):
    assert targets.opens(people.author, "/proposals/votes/")
    assert targets.opens(people.author, "/notifications/")


def test_every_checked_page_exists():
    """A typo in a registered name would leave that page unchecked."""
    assert set(targets._checks) >= {
        "proposals:detail",
        "pilots:detail",
        "reviews:review",
        "reviews:abuse",
        "reviews:lesson",
        "notifications:review-report",
        "reviews:recognitions",
    }
    for name in targets._checks:
        try:
            assert reverse(name, kwargs={"pk": 1})
        except NoReverseMatch:
            assert reverse(name)  # a list


def test_the_list_of_recognitions_opens_for_the_boards_only(people, client):
    """Recognition notices sent before 02/12 linked the recognised cadre to that list (403)."""
    for user, opens in ((people.author, False), (people.agency_board, True)):
        (notification,) = notifications_create(
            recipient_ids=[user.pk], kind="update", title="Ghi nhận", url="/recognitions/"
        )
        response = opened(client, user, notification)
        assert response.status_code == (302 if opens else 200)
        if opens:
            assert client.get(response.url).status_code == 200


def test_a_form_opens_only_for_who_may_use_it(make_proposal, people):
    """The edit form is the authors'; a head who sees the proposal is not sent to its 403."""
    proposal = make_proposal()
    edit = reverse("proposals:edit", args=[proposal.pk])
    assert targets.opens(people.office_head, proposal.get_absolute_url())
    assert not targets.opens(people.office_head, edit)
    assert targets.opens(people.author, edit)
