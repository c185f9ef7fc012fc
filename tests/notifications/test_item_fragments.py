"""Issue 12: the notification list's items are rendered once per content (kl14.fragments). What a
person sees never lags behind: an item read, a unit renamed, a row changed in the database, the
other language, are all shown as they are now."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import Client
from django.urls import reverse

from kl14.fragments import ALIAS
from notifications.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.ledger.tamper import sql

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


@pytest.fixture
def cadre(tree):
    user = UserFactory(full_name="Trần Thị Bình")
    for number in range(1, 4):
        Notification.objects.create(
            recipient=user,
            kind=NotificationKind.ACTION,
            title=f"Việc số {number}",
            body=f"Dòng một\nDòng hai của việc {number}",
            url=f"/proposals/{number}/",
            unit=tree["agency"],
        )
    return user


@pytest.fixture
def client(cadre):
    client = Client()
    client.force_login(cadre)
    return client


def items(client, url=LIST) -> str:
    page = client.get(url).content.decode()
    start = page.index('<ul class="list-group')
    return page[start : page.index("</ul>", start)]


def test_kept_items_render_as_fresh_ones(client):
    cold = items(client)
    assert cold.count('class="list-group-item') == 3
    assert "Dòng một<br>Dòng hai của việc 2" in cold
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        assert items(client) == cold  # from the kept fragments
    rendered = [call.args[0].template.name for call in spy.call_args_list]
    assert "notifications/list.html" in rendered
    assert "notifications/_item.html" not in rendered
    caches[ALIAS].clear()
    assert items(client) == cold


def test_the_kept_item_is_the_item_the_mark_read_answer_swaps_in(client, cadre):
    """The list's item and htmx's answer to "Mark as read" are one template: read, it is the
    same HTML in the list, whether kept or not."""
    notification = Notification.objects.get(recipient=cadre, title="Việc số 1")
    swapped = client.post(
        reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Đánh dấu đã đọc" not in swapped
    assert swapped.strip() in items(client)
    caches[ALIAS].clear()
    assert swapped.strip() in items(client)


def test_an_item_read_loses_its_button(client, cadre):
    notification = Notification.objects.get(recipient=cadre, title="Việc số 2")
    button = f'formaction="/notifications/{notification.pk}/read/"'
    assert button in items(client)
    client.post(reverse("notifications:read", args=[notification.pk]))
    assert button not in items(client)
    assert items(client).count("Đánh dấu đã đọc") == 2


def test_a_renamed_unit_shows_with_its_new_name(client, tree):
    assert "· Sở" in items(client)
    tree["agency"].name = "Sở Nội vụ"
    tree["agency"].save(update_fields=["name"])
    assert items(client).count("· Sở Nội vụ") == 3


def test_a_row_changed_in_the_database_shows_as_it_now_is(client, cadre):
    """Someone with SQL access rewrites a title: the list shows the rewritten text, never the
    kept fragment of the former one."""
    notification = Notification.objects.get(recipient=cadre, title="Việc số 3")
    assert "Việc số 3" in items(client)
    sql(
        "UPDATE notifications_notification SET title = %s WHERE id = %s",
        ["<b>Nội dung bị sửa lén</b>", notification.pk],
    )
    shown = items(client)
    assert "&lt;b&gt;Nội dung bị sửa lén&lt;/b&gt;" in shown  # escaped, as any title
    assert "Việc số 3" not in shown


def test_the_other_language_gets_its_own_items(client):
    assert "Đánh dấu đã đọc" in items(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    english = items(client)
    assert "Mark as read" in english and "Đánh dấu đã đọc" not in english


def test_each_person_sees_only_their_own_items(client, cadre, tree):
    """Two people's items never share a fragment: the key holds the notification's own id."""
    other = UserFactory()
    Notification.objects.create(
        recipient=other, kind=NotificationKind.ACTION, title="Việc số 1", unit=tree["agency"]
    )
    mine = items(client)
    theirs_client = Client()
    theirs_client.force_login(other)
    theirs = items(theirs_client)
    assert theirs.count('class="list-group-item') == 1
    mine_ids = {n.pk for n in Notification.objects.filter(recipient=cadre)}
    for pk in mine_ids:
        assert f'id="notification-{pk}"' in mine and f'id="notification-{pk}"' not in theirs
