"""The notification centre page: the user's own notifications, mark as read, e-mail preference."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from tests.factories import UserFactory
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_list_shows_only_my_notifications(signed_in, user):
    NotificationFactory(recipient=user, title="Của tôi", url="/proposals/1/")
    NotificationFactory(title="Của người khác")
    response = signed_in.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    mine = Notification.objects.get(title="Của tôi")
    assert "Của tôi" in body and f'href="/notifications/{mine.pk}/"' in body
    assert "Của người khác" not in body
    assert "Đánh dấu đã đọc" in body  # Vietnamese by default


def test_the_unread_filter_and_the_badge(signed_in, user):
    NotificationFactory(recipient=user, title="Đã đọc", read_at="2026-05-05T08:00:00+07:00")
    NotificationFactory(recipient=user, title="Chưa đọc")
    body = signed_in.get(LIST + "?unread=1").content.decode()
    assert "Chưa đọc" in body and "Đã đọc" not in body
    home = signed_in.get("/").content.decode()
    assert 'text-bg-warning">1<' in home.replace("\n", "")


def test_the_list_is_paginated(signed_in, user):
    NotificationFactory.create_batch(25, recipient=user)
    page = signed_in.get(LIST).context["page"]
    assert (len(page.object_list), page.paginator.num_pages) == (20, 2)
    assert len(signed_in.get(LIST + "?page=2").context["page"].object_list) == 5


# session, user with their memberships (units.roles.with_grants), unread badge, page, preference;
# and the count when there is more than a page (kl14.paging: a first page holding every row is
# its own count).
ONE_PAGE_QUERIES = 5


@pytest.mark.parametrize(
    ("count", "queries_made"),
    [
        (1, ONE_PAGE_QUERIES),
        (20, ONE_PAGE_QUERIES),
        (21, ONE_PAGE_QUERIES + 1),
        (45, ONE_PAGE_QUERIES + 1),
    ],
)
def test_the_list_runs_a_fixed_number_of_queries(signed_in, user, count, queries_made, tree):
    NotificationFactory.create_batch(count, recipient=user, unit=tree["office"])
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(LIST)
    assert response.status_code == 200
    assert len(queries) == queries_made
    assert response.content.count(b'class="list-group-item') == min(count, 20)
    assert response.context["page"].paginator.count == count


def test_mark_one_read_needs_post_and_csrf(user):
    notification = NotificationFactory(recipient=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = reverse("notifications:read", args=[notification.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    token = client.get(LIST).context["csrf_token"]
    response = client.post(url, {"csrfmiddlewaretoken": str(token), "next": LIST + "?page=1"})
    assert response.status_code == 302 and response.url == LIST + "?page=1"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_with_htmx_answers_the_item(signed_in, user):
    notification = NotificationFactory(recipient=user, title="Một việc")
    response = signed_in.post(
        reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<li") and "Một việc" in body
    assert "Đánh dấu đã đọc" not in body


def test_someone_elses_notification_is_404(signed_in):
    other = NotificationFactory()
    response = signed_in.post(reverse("notifications:read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read(signed_in, user):
    NotificationFactory.create_batch(3, recipient=user)
    other = NotificationFactory()
    response = signed_in.post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_the_user_chooses_the_daily_digest(signed_in, user):
    response = signed_in.post(reverse("notifications:preferences"), {"email": "digest"})
    assert response.status_code == 302
    assert user.notification_preference.email == NotificationPreference.Email.DIGEST
    form = signed_in.get(LIST).context["form"]
    assert form["email"].value() == "digest"
    bad = signed_in.post(reverse("notifications:preferences"), {"email": "pigeon"})
    assert bad.status_code == 400


def test_htmx_pagination_answers_the_list_only(signed_in, user):
    NotificationFactory.create_batch(25, recipient=user)
    response = signed_in.get(
        LIST + "?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="notification-list"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.count('<li class="list-group-item') == 5


def test_opening_a_notification_marks_it_read_and_goes_where_to_act(signed_in, user):
    notification = NotificationFactory(recipient=user, url="/proposals/votes/")
    response = signed_in.get(f"/notifications/{notification.pk}/")
    assert (response.status_code, response.url) == (302, "/proposals/votes/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_someone_elses_notification_is_404(signed_in):
    other = NotificationFactory(url="/proposals/votes/")
    assert signed_in.get(f"/notifications/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_a_notification_never_sends_its_reader_elsewhere(signed_in, user):
    notification = NotificationFactory(recipient=user, url="https://example.com/phish")
    response = signed_in.get(f"/notifications/{notification.pk}/")
    assert response.url == LIST


@pytest.mark.parametrize("steps", [1, 4])
def test_the_list_of_event_notifications_runs_a_fixed_number_of_queries(client, tree, steps):
    """Notifications of real steps (with their ledger entries and units), at two sizes."""
    from proposals import services
    from tests.factories import grant
    from tests.factories.proposals import ProposalFactory, fresh
    from units.models import Role

    cadre = grant(tree["agency"], Role.CADRE)
    head = grant(tree["agency"], Role.HEAD)
    for _ in range(steps):
        proposal = ProposalFactory(home_unit=tree["agency"], created_by=cadre)
        services.proposal_submit(proposal=fresh(proposal), actor=cadre)
        services.proposal_open_review(proposal=fresh(proposal), actor=head)
        services.proposal_return_for_revision(proposal=fresh(proposal), actor=head, comment="x")
    assert Notification.objects.filter(recipient=cadre).count() == 2 * steps
    client.force_login(cadre)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    assert len(queries) == ONE_PAGE_QUERIES


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_notifications_kind_label_is_its_kind_display(language):
    """The list shows `kind_label` (a dict lookup) instead of get_kind_display(): the same words."""
    from django.utils import translation

    from notifications.models import Notification

    with translation.override(language):
        for kind in Notification.Kind.values:
            notification = Notification(kind=kind)
            assert str(notification.kind_label) == notification.get_kind_display()
