"""kl14.paging.Paginator: Django's pages, without a count when the first page holds every row."""

import pytest
from django.core import paginator as django_paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kl14.paging import Paginator
from notifications.models import Notification, NotificationKind
from tests.factories import UnitFactory, UserFactory
from units.models import Unit

pytestmark = pytest.mark.django_db

NUMBERS = [None, "", "x", "1", 1, 1.0, "0", "-1", 1.5, "2", 2, "3", "999"]


def page_as_django_shows_it(page):
    return {
        "rows": [u.pk for u in page.object_list],
        "number": page.number,
        "count": page.paginator.count,
        "num_pages": page.paginator.num_pages,
        "has_next": page.has_next(),
        "has_previous": page.has_previous(),
        "start": page.start_index(),
        "end": page.end_index(),
    }


@pytest.fixture
def units(db):
    return [UnitFactory(code=f"U{n:02d}", name=f"Đơn vị {n}") for n in range(13)]


@pytest.mark.parametrize("rows", [0, 1, 4, 5, 6, 7, 8, 12, 13])
@pytest.mark.parametrize("orphans", [0, 2])
@pytest.mark.parametrize("allow_empty", [True, False])
def test_every_page_is_the_page_django_gives(units, rows, orphans, allow_empty):
    keep = [u.pk for u in units[:rows]]
    queryset = Unit.objects.filter(pk__in=keep).order_by("code")
    for number in NUMBERS:
        args = {"per_page": 5, "orphans": orphans, "allow_empty_first_page": allow_empty}
        try:
            expected = page_as_django_shows_it(
                django_paginator.Paginator(queryset, **args).get_page(number)
            )
        except django_paginator.EmptyPage as error:
            with pytest.raises(django_paginator.EmptyPage, match=str(error)):
                Paginator(queryset, **args).get_page(number)
            continue
        assert page_as_django_shows_it(Paginator(queryset, **args).get_page(number)) == expected


def test_a_first_page_holding_every_row_is_one_query(units):
    queryset = Unit.objects.order_by("code")
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(queryset, 20).get_page(None)
        assert len(page.object_list) == 13
        assert page.paginator.count == 13
        assert page.paginator.num_pages == 1
        assert not page.has_other_pages()
    assert len(queries) == 1
    assert "COUNT" not in queries[0]["sql"].upper()


def test_a_longer_list_is_counted_and_its_first_page_read_once(units):
    queryset = Unit.objects.order_by("code")
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(queryset, 5).get_page("1")
        assert [u.code for u in page.object_list] == ["U00", "U01", "U02", "U03", "U04"]
        assert page.paginator.num_pages == 3
    assert len(queries) == 2  # the rows, then the count


def test_a_count_given_beforehand_is_kept(units):
    paginator = Paginator(Unit.objects.order_by("code"), 5)
    paginator.count = 40  # e.g. a count of other rows (proposals.views.lists.my_proposals)
    page = paginator.get_page(1)
    assert page.paginator.num_pages == 8
    assert len(page.object_list) == 5


def test_the_notifications_page_of_a_short_list_counts_nothing(client):
    user = UserFactory()
    for n in range(3):
        Notification.objects.create(
            recipient=user, title=f"Thông báo {n}", kind=NotificationKind.ACTION
        )
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert response.content.count(b'class="list-group-item') == 3
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "notification" in q["sql"]]
    assert counts == []
