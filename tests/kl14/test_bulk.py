"""kl14.bulk.insert_rows: plain rows in the caller's transaction, keys in the order of the rows,
the other columns at their defaults; on PostgreSQL as binary arrays (unnest), elsewhere as a
multi-row VALUES. The same assertions run on both databases."""

import datetime

import pytest
from django.db import transaction

from kl14.bulk import insert_rows, insert_rows_returning
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


REMINDER = ("deadline", "item_id", "due", "kind", "recipient_id", "day", "created_at")
DUE = datetime.date(2026, 11, 27)
LATER = NOW + datetime.timedelta(hours=1)


def test_conflicting_rows_are_skipped_and_the_others_inserted():
    user = UserFactory()
    [earlier] = insert_rows(Reminder, REMINDER, [("d", 7, DUE, "overdue", user.pk, DUE, NOW)])

    keys = insert_rows(
        Reminder,
        REMINDER,
        [
            ("d", 7, DUE, "overdue", user.pk, DUE, LATER),  # already there
            ("d", 8, DUE, "overdue", user.pk, DUE, LATER),
        ],
        ignore_conflicts=True,
    )

    assert sorted(Reminder.objects.values_list("item_id", "created_at")) == [(7, NOW), (8, LATER)]
    assert keys == list(Reminder.objects.filter(item_id=8).values_list("pk", flat=True))
    assert earlier not in keys


def test_returning_says_exactly_which_rows_went_in_and_in_their_order():
    """What the reminder sweep's exactly-once rests on: with conflicts ignored, the rows returned
    are the ones this statement inserted, whatever the others' places among the rows."""
    first, second = UserFactory(), UserFactory()
    insert_rows(
        Reminder,
        REMINDER,
        [("d", 2, DUE, "overdue", first.pk, DUE, NOW), ("d", 4, DUE, "early", second.pk, DUE, NOW)],
    )
    rows = [
        ("d", 1, DUE, "overdue", second.pk, DUE, LATER),
        ("d", 2, DUE, "overdue", first.pk, DUE, LATER),  # there already
        ("d", 3, DUE, "early", first.pk, DUE, LATER),
        ("d", 4, DUE, "early", second.pk, DUE, LATER),  # there already
        ("d", 5, DUE, "overdue", first.pk, DUE, LATER),
    ]

    won = insert_rows_returning(
        Reminder, REMINDER, rows, ("item_id", "kind", "recipient_id"), ignore_conflicts=True
    )

    assert [w[1:] for w in won] == [
        (1, "overdue", second.pk),
        (3, "early", first.pk),
        (5, "overdue", first.pk),
    ]
    stored = dict(Reminder.objects.filter(created_at=LATER).values_list("pk", "item_id"))
    assert {pk: item for pk, item, *_rest in won} == stored
    assert [w[0] for w in won] == sorted(w[0] for w in won)


def test_returning_everything_a_conflict_refused_is_nothing():
    user = UserFactory()
    row = ("d", 9, DUE, "overdue", user.pk, DUE, NOW)
    insert_rows(Reminder, REMINDER, [row])
    assert (
        insert_rows_returning(Reminder, REMINDER, [row], ("item_id",), ignore_conflicts=True) == []
    )
    assert Reminder.objects.count() == 1


def test_returning_across_statements_keeps_the_order_of_the_rows(monkeypatch):
    from kl14 import bulk

    monkeypatch.setattr(bulk, "BATCH", 2)
    user = UserFactory()
    rows = [("d", i, DUE, "overdue", user.pk, DUE, NOW) for i in (5, 3, 9, 1, 7)]
    won = insert_rows_returning(Reminder, REMINDER, rows, ("item_id",), ignore_conflicts=True)
    assert [item for _pk, item in won] == [5, 3, 9, 1, 7]


def test_a_conflict_without_ignore_conflicts_writes_nothing():
    from django.db import IntegrityError

    user = UserFactory()
    row = ("d", 7, DUE, "overdue", user.pk, DUE, NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Reminder, REMINDER, [row, row])
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
