"""kl14.bulk.insert_rows: plain rows in the caller's transaction, keys in the order of the rows,
the other columns at their defaults; on PostgreSQL as binary arrays (unnest), elsewhere through
bulk_create. The same assertions run on both databases."""

import datetime
import uuid

import pytest
from django.db import transaction

from kl14.bulk import insert_rows
from notifications.models import Notification, OutboxEmail, Reminder
from tests.factories.units import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
COLUMNS = ("recipient_id", "kind", "title", "body", "unit_id", "created_at")


def test_rows_are_written_in_order_with_the_other_columns_at_their_defaults():
    first, second = UserFactory(), UserFactory()
    unit = UnitFactory()
    rows = [
        (first.pk, "overdue", "Quá hạn: đề xuất «Một cửa»", "dòng 1\ndòng 2", unit.pk, NOW),
        (second.pk, "escalation", 'It\'s a "quote" \\ and a tab\t', "", None, NOW),
        (first.pk, "early", "ß ∑ 😀", "x" * 5000, unit.pk, NOW),
    ]

    keys = insert_rows(Notification, COLUMNS, rows)

    assert len(keys) == 3 and keys == sorted(keys)
    written = {n.pk: n for n in Notification.objects.filter(pk__in=keys)}
    for key, row in zip(keys, rows, strict=True):
        n = written[key]
        assert (n.recipient_id, n.kind, n.title, n.body, n.unit_id, n.created_at) == row
        # Not given: each field's own default.
        assert (n.url, n.event, n.read_at, n.emailed_at, n.reminder_id) == (
            "",
            "",
            None,
            None,
            None,
        )


def test_conflicting_rows_are_skipped_and_the_others_inserted():
    user = UserFactory()
    due = datetime.date(2026, 11, 27)
    columns = ("deadline", "item_id", "due", "kind", "recipient_id", "day", "sweep", "created_at")
    earlier, now = uuid.UUID(int=1), uuid.UUID(int=2)
    insert_rows(Reminder, columns, [("d", 7, due, "overdue", user.pk, due, earlier, NOW)])

    insert_rows(
        Reminder,
        columns,
        [
            ("d", 7, due, "overdue", user.pk, due, now, NOW),  # already there
            ("d", 8, due, "overdue", user.pk, due, now, NOW),
        ],
        ignore_conflicts=True,
    )

    assert sorted(Reminder.objects.values_list("item_id", "sweep")) == [(7, earlier), (8, now)]


def test_a_conflict_without_ignore_conflicts_writes_nothing():
    from django.db import IntegrityError

    user = UserFactory()
    due = datetime.date(2026, 11, 27)
    columns = ("deadline", "item_id", "due", "kind", "recipient_id", "day", "sweep", "created_at")
    row = ("d", 7, due, "overdue", user.pk, due, uuid.UUID(int=3), NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Reminder, columns, [row, row])
    assert not Reminder.objects.exists()


def test_rows_belong_to_the_callers_transaction():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_rows(Notification, COLUMNS, [(user.pk, "info", "t", "", None, NOW)])
        raise RuntimeError
    assert not Notification.objects.exists()


def test_more_rows_than_one_statement_takes(monkeypatch):
    from kl14 import bulk

    monkeypatch.setattr(bulk, "BATCH", 2)
    user = UserFactory()
    keys = insert_rows(
        Notification, COLUMNS, [(user.pk, "info", f"t{i}", "", None, NOW) for i in range(5)]
    )
    titles = dict(Notification.objects.values_list("pk", "title"))
    assert [titles[k] for k in keys] == ["t0", "t1", "t2", "t3", "t4"]


def test_nothing_to_insert_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Notification, COLUMNS, []) == []


@pytest.mark.parametrize("column", ["message", "id"])
def test_a_column_that_needs_its_own_preparation_is_refused(column):
    with pytest.raises(TypeError, match=column):
        insert_rows(OutboxEmail, (column,), [({"to": ["a@example.org"]},)])
    assert not OutboxEmail.objects.exists()


def test_postgresql_sends_the_rows_as_arrays(postgres, monkeypatch):
    """In CI this runs on PostgreSQL (KL14_REQUIRE_SERVICES=1 turns the skip into a failure): one
    INSERT … unnest per batch of rows, its arrays in binary."""
    import psycopg

    from kl14 import bulk

    monkeypatch.setattr(bulk, "BATCH", 20)
    statements = []
    execute = psycopg.Cursor.execute

    def spy(cursor, query, params=None, **kwargs):
        statements.append(query.as_string(cursor) if hasattr(query, "as_string") else query)
        return execute(cursor, query, params, **kwargs)

    user = UserFactory()
    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    keys = insert_rows(
        Notification, COLUMNS, [(user.pk, "info", f"t{i}", "", None, NOW) for i in range(50)]
    )
    inserts = [s for s in statements if "INSERT" in s]
    assert len(inserts) == 3 and all("unnest(%b::bigint[], %b::varchar(16)[]" in s for s in inserts)
    assert len(keys) == 50 and Notification.objects.count() == 50
