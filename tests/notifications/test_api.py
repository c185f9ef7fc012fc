"""GET /api/v1/notifications/ and POST /api/v1/notifications/{id}/read/ (api.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.factories import UserFactory
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_gets_401():
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors"}


def test_my_notifications_only_newest_first(api, user, tree):
    older = NotificationFactory(recipient=user, created_at="2026-05-04T08:00:00+07:00")
    newer = NotificationFactory(
        recipient=user, created_at="2026-05-05T08:00:00+07:00", unit=tree["office"]
    )
    NotificationFactory()
    body = api.get(LIST).json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "kind",
        "title",
        "body",
        "url",
        "open_url",
        "unit",
        "created_at",
        "read",
        "read_at",
    }
    assert first["unit"] == {"id": tree["office"].pk, "code": "P-A-O", "name": "Phòng"}
    assert first["read"] is False and body["results"][1]["unit"] is None


def test_paginated_and_filtered(api, user):
    NotificationFactory.create_batch(3, recipient=user)
    NotificationFactory(recipient=user, read_at="2026-05-05T08:00:00+07:00")
    body = api.get(LIST + "?page_size=2").json()
    assert (body["count"], len(body["results"]), body["next"] is not None) == (4, 2, True)
    assert api.get(LIST + "?unread=true").json()["count"] == 3


@pytest.mark.parametrize("count", [1, 40])
def test_the_list_runs_a_fixed_number_of_queries(api, user, tree, count):
    NotificationFactory.create_batch(count, recipient=user, unit=tree["office"])
    with CaptureQueriesContext(connection) as queries:
        assert api.get(LIST + "?page_size=100").status_code == 200
    assert len(queries) == 2  # count, page (with its units)


def test_mark_read(api, user):
    notification = NotificationFactory(recipient=user)
    response = api.post(f"{LIST}{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"]
    assert response.json()["open_url"] == f"http://testserver/notifications/{notification.pk}/"
    again = api.post(f"{LIST}{notification.pk}/read/").json()
    assert again["read_at"] == response.json()["read_at"]


def test_open_url_is_the_notification_in_the_web_app(user, api, client):
    """`url` is the page's path, which may not open for the recipient; `open_url` is the web
    app's own way: it marks the notification read and goes to the page, or says why not."""
    reachable = NotificationFactory(recipient=user, url="/notifications/")
    escalated = NotificationFactory(recipient=user, url="/proposals/999999/")  # not theirs
    rows = {n["id"]: n for n in api.get(LIST).json()["results"]}
    client.force_login(user)
    first = client.get(rows[reachable.pk]["open_url"])
    assert first.status_code == 302 and first["Location"] == "/notifications/"
    second = client.get(rows[escalated.pk]["open_url"])
    assert second.status_code == 200 and escalated.title in second.content.decode()
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert client.get(rows[escalated.pk]["url"]).status_code == 404


def test_someone_elses_notification_is_404(api):
    other = NotificationFactory()
    response = api.post(f"{LIST}{other.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert api.post(f"{LIST}999999/read/").status_code == 404


def test_mark_all_read(api, user):
    NotificationFactory.create_batch(2, recipient=user)
    NotificationFactory()
    assert api.post(LIST + "read-all/").json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_schema_describes_the_endpoints(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert "200" in paths["/api/v1/notifications/"]["get"]["responses"]
    read = paths["/api/v1/notifications/{id}/read/"]["post"]["responses"]
    assert {"200", "401", "404"} <= set(read)
    assert "/api/v1/notifications/read-all/" in paths
