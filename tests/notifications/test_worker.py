"""End to end through a real Celery worker on Redis: the beat task goes through the broker, the
sweep runs in the worker, the notifications land in the database and the e-mails go out."""

import time
import uuid
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from kl14.celery import app
from notifications.models import Notification
from notifications.tasks import sweep_reminders

pytestmark = pytest.mark.services


@pytest.fixture
def worker_on_redis(redis_url, transactional_db, sqlite_reads_take_no_table_lock):
    """kl14's Celery app pointed at Redis, not eager, on a queue of its own (so a developer's
    worker on the same Redis does not take the test's tasks), with a worker thread."""
    queue = f"kl14-test-{uuid.uuid4().hex}"
    overrides = {
        "broker_url": redis_url,
        "broker_transport_options": {"visibility_timeout": 3600},
        "task_always_eager": False,
        "task_default_queue": queue,
    }
    saved = {key: app.conf.get(key) for key in overrides}

    def reset_connections():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(overrides)
    reset_connections()
    try:
        with start_worker(
            app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10
        ):
            yield app
    finally:
        app.conf.update(saved)
        reset_connections()


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_sweep_through_the_broker(worker_on_redis, make_proposal, people):
    assert worker_on_redis.connection_for_write().transport.driver_type == "redis"
    make_proposal()
    sweep_reminders.delay("2026-05-05")  # Tuesday after the due day: overdue and escalated
    assert wait_for(lambda: Notification.objects.count() == 3)
    expected = {people.office_head.email, people.agency_head.email, people.agency_board.email}
    # The e-mails were queued after commit and sent by the same worker.
    assert wait_for(lambda: {m.to[0] for m in mail.outbox} == expected)
    assert wait_for(lambda: not Notification.objects.filter(emailed_at__isnull=True).exists())
    assert set(Notification.objects.values_list("reminder__day", flat=True)) == {date(2026, 5, 5)}
