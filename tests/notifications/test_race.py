"""Two sweeps at once on PostgreSQL send each reminder once."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.db.models import QuerySet

from notifications.models import Notification, Reminder
from notifications.services import reminders_sweep

pytestmark = pytest.mark.services


def test_two_racing_sweeps_send_each_reminder_once(
    postgres, transactional_db, make_proposal, people, monkeypatch
):
    for _ in range(30):
        make_proposal()
    barrier = threading.Barrier(2, timeout=20)
    real_bulk_create = QuerySet.bulk_create

    def bulk_create_together(self, objs, *args, **kwargs):
        # Both sweeps reach their INSERT of the same reminders inside open transactions.
        if self.model is Reminder:
            barrier.wait()
        return real_bulk_create(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create_together)
    reports, errors = [], []

    def run():
        try:
            reports.append(reminders_sweep(today=date(2026, 5, 5)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    # 30 proposals × (the office head overdue + the agency's head and board escalated).
    assert sorted(r.notifications for r in reports) == [0, 90]
    assert Reminder.objects.count() == Notification.objects.count() == 90
    assert Notification.objects.values("reminder_id").distinct().count() == 90
