"""The notifications table's indexes (PostgreSQL): each lookup has one, and no index is kept
that another already serves (every index costs each of the half million rows a first national
sweep writes)."""

import re
from datetime import date

import pytest

from notifications.models import Digest, Notification

pytestmark = pytest.mark.django_db


def _indexes(connection) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [Notification._meta.db_table],
        )
        return dict(cursor.fetchall())


def _plan(connection, queryset) -> str:
    """The plan PostgreSQL would choose were the table large (no sequential scan)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")


def test_each_column_is_indexed_once_and_the_rare_keys_only_where_set(postgres):
    indexes = _indexes(postgres)
    single = {
        name: definition
        for name, definition in indexes.items()
        if "(recipient_id)" in definition or "(entry_id)" in definition
    }
    # recipient_id: only the unread badge's partial index starts and ends with it; the inbox's
    # (recipient_id, created_at DESC) serves the rest. entry_id: the once-per-entry constraint.
    assert list(single) == ["notification_unread"]
    assert "WHERE (review_id IS NOT NULL)" in indexes["notification_review"]
    assert "WHERE (digest_id IS NOT NULL)" in indexes["notification_digest"]


def test_every_lookup_by_a_key_reads_an_index(postgres, people):
    user = people.author
    digest = Digest.objects.create(user=user, day=date(2026, 5, 4), count=1)
    plans = {
        "notification_inbox": Notification.objects.filter(recipient=user),
        "notification_once_per_entry": Notification.objects.filter(entry_id=1),
        "notification_review": Notification.objects.filter(review_id=1),
        "notification_digest": Notification.objects.filter(digest=digest),
    }
    for index, queryset in plans.items():
        # "Index Scan using notification_inbox on …" or "Bitmap Index Scan on notification_inbox".
        assert re.search(rf"Scan (?:using|on) {index}\b", _plan(postgres, queryset)), index


def test_a_deleted_digest_leaves_its_notifications_without_one(people):
    """SET_NULL through the partial index (on every database)."""
    user = people.author
    digest = Digest.objects.create(user=user, day=date(2026, 5, 4), count=1)
    kept = Notification.objects.create(recipient=user, kind="info", title="x", digest=digest)
    digest.delete()
    kept.refresh_from_db()
    assert kept.digest_id is None
