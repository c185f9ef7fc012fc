"""The navigation's badge counts (kl14.navigation.count_badges): their SQL is compiled once per
user, memberships and day and kept, but the counts are read afresh on every page, so they follow
the data; a new membership, a moved unit or a new day compiles them again."""

import dataclasses
from collections import OrderedDict
from datetime import timedelta

import pytest
from django.utils import timezone

from kl14 import navigation
from proposals.views.lists import inbox_rows
from tests.factories.proposals import ProposalFactory, submitted, under_review
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def badges(client) -> dict:
    return {item["key"]: item["badge"] for item in client.get("/").context["nav_items"]}


@pytest.fixture
def builds(monkeypatch):
    """The users for whom the inbox badge's queryset was built, in order, with an empty cache."""
    calls = []
    item = navigation._registry["proposals_inbox"]

    def counted(user):
        calls.append(user.pk)
        return item.badge_rows(user)

    monkeypatch.setitem(
        navigation._registry, "proposals_inbox", dataclasses.replace(item, badge_rows=counted)
    )
    monkeypatch.setattr(navigation, "_badge_sql", OrderedDict())
    return calls


def test_the_counts_follow_the_data_while_the_sql_is_kept(client, org, draft, builds):
    client.force_login(org.head)
    assert badges(client)["proposals_inbox"] == 0
    submitted(draft, org.cadre)
    assert badges(client)["proposals_inbox"] == 1
    other = ProposalFactory(home_unit=org.agency, created_by=org.cadre2)
    submitted(other, org.cadre2)
    assert badges(client)["proposals_inbox"] == 2 == inbox_rows(org.head).count()
    assert builds == [org.head.pk]  # three pages, one build


def test_a_new_membership_compiles_the_badges_again(client, org, builds):
    in_commune = ProposalFactory(home_unit=org.commune, created_by=org.commune_cadre)
    submitted(in_commune, org.commune_cadre)
    client.force_login(org.head)
    assert badges(client)["proposals_inbox"] == 0  # not their unit
    grant(org.commune, Role.HEAD, user=org.head)
    assert badges(client)["proposals_inbox"] == 1
    assert builds == [org.head.pk, org.head.pk]
    # Each user has SQL of their own (their id and units are in it).
    client.force_login(org.commune_head)
    assert badges(client)["proposals_inbox"] == 1
    client.force_login(org.province_head)
    assert badges(client)["proposals_inbox"] == 0
    assert builds == [org.head.pk, org.head.pk, org.commune_head.pk, org.province_head.pk]


def test_a_new_day_compiles_the_badges_again(client, org, builds, monkeypatch):
    client.force_login(org.head)
    badges(client)
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(navigation.timezone, "localdate", lambda *a, **k: tomorrow)
    badges(client)
    badges(client)
    assert builds == [org.head.pk, org.head.pk]


def test_the_kept_sql_is_bounded(client, org, builds, monkeypatch):
    monkeypatch.setattr(navigation, "BADGE_SQL_KEEP", 2)
    for user in (org.head, org.commune_head, org.province_head, org.head):
        client.force_login(user)
        badges(client)
    assert len(navigation._badge_sql) == 2
    # The oldest (the agency's head) was dropped, so their fourth page built again.
    assert builds == [org.head.pk, org.commune_head.pk, org.province_head.pk, org.head.pk]


def test_each_count_lands_on_its_own_badge(client, org, draft):
    """Three different numbers on three badges: the columns are not mixed up."""
    from notifications.selectors import unread_rows
    from notifications.services import notification_mark_read
    from proposals.views.lists import vote_rows

    client.force_login(org.head)
    under_review(draft, org.cadre, org.head)
    for author in (org.cadre2, org.cadre):
        submitted(ProposalFactory(home_unit=org.agency, created_by=author), author)
    notification_mark_read(notification=unread_rows(org.head).first())
    expected = {
        "proposals_inbox": inbox_rows(org.head).count(),
        "proposals_votes": vote_rows(org.head).count(),
        "notifications": unread_rows(org.head).count(),
    }
    assert expected["proposals_inbox"] == 3 and expected["proposals_votes"] == 1
    assert expected["notifications"] == 2
    got = badges(client)
    assert {key: got[key] for key in expected} == expected


def test_a_user_without_badges_reads_no_count(client, org):
    assert navigation.count_badges(org.cadre, {}) == {}


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_badges_are_read_where_the_router_sends_each_page(client, org, settings):
    """The kept SQL is not tied to a database: on the dashboard (replica_reads) the badges are
    counted on the read replica, on the next page of the same person on the primary."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    settings.KL14_REPLICA_READS = True
    client.force_login(org.orgboard)

    def counted_on_replica(url):
        with CaptureQueriesContext(connections["replica"]) as replica:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in replica if '"kl14_n"' in q["sql"] or "COUNT(" in q["sql"]]

    assert counted_on_replica("/dashboard/")
    assert counted_on_replica("/") == []
    assert counted_on_replica("/dashboard/")
