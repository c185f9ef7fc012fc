"""Faults: the broker (a redis-server this test starts on a port of its own) is killed while a real
Celery worker (a separate process) sends e-mails, then restarted empty. Every e-mail must arrive
exactly once: the outbox rows survive in PostgreSQL, beat's dispatch sends what the lost tasks
did not. The worker's mail backend appends to a file that this process reads (tests/notifications/
mailbox.py)."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from kl14.celery import app
from notifications.models import NotificationPreference, OutboxEmail
from notifications.selectors import outbox_backlog
from notifications.services import notifications_create, reminders_sweep
from notifications.tasks import dispatch_outbox
from tests.conftest import skip_or_fail
from tests.factories import UserFactory
from tests.servers import PrivateRedis

from . import mailbox

pytestmark = pytest.mark.services


def wait_for(predicate, timeout=60.0, every=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class Worker:
    """`celery -A kl14 worker` in its own process, on the test database and the private broker."""

    def __init__(self, broker_url: str, workdir: Path):
        self.mailbox = workdir / "mailbox.jsonl"
        self.log = workdir / "worker.log"
        db = connection.settings_dict
        credentials = quote(db["USER"] or "") + (
            f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        )
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        database_url = f"postgres://{credentials}@{host}:{port}/{db['NAME']}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kl14.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "KL14_EMAIL_BACKEND": "tests.notifications.mailbox.FileMailbox",
            "KL14_TEST_MAILBOX": str(self.mailbox),
            "KL14_TEST_MAILBOX_DELAY": "0.05",  # a mail server takes its time
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter's celery)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kl14",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"faults-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert wait_for(lambda: "ready." in self.output(), timeout=60), self.output()[-3000:]

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown: finish the current task
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def sent(self) -> list[dict]:
        return mailbox.read(self.mailbox)


@pytest.fixture
def broker(tmp_path, postgres, transactional_db):
    """The private Redis, and kl14's Celery app publishing to it (not eagerly)."""
    if shutil.which("redis-server") is None:
        skip_or_fail("this test starts its own redis-server (apt-get install redis-server)")
    redis = PrivateRedis(tmp_path)
    redis.start()
    overrides = {"broker_url": redis.url, "task_always_eager": False}
    saved = {key: app.conf.get(key) for key in overrides}

    def reset_connections():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(overrides)
    reset_connections()
    try:
        yield redis
    finally:
        app.conf.update(saved)
        reset_connections()
        redis.kill()


@pytest.fixture
def worker(broker, tmp_path):
    worker = Worker(broker.url, tmp_path)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def act_as_beat_until_sent(timeout=180.0) -> int:
    """What beat does every minute, every second here: publish the dispatch, until nothing is
    pending. Returns how many dispatches were published."""
    published = 0

    def sent_all():
        nonlocal published
        try:
            dispatch_outbox.apply_async(retry=False)
            published += 1
        except Exception:  # the broker is still coming back
            app._pool = None
            app.amqp._producer_pool = None
        return outbox_backlog().pending == 0

    assert wait_for(sent_all, timeout=timeout, every=1.0), outbox_backlog()
    return published


def figures(expected: Counter, received: Counter) -> dict:
    return {
        "expected": sum(expected.values()),
        "received": sum(received.values()),
        "lost": sum((expected - received).values()),
        "doubled": sum((received - expected).values()),
    }


def test_killing_the_broker_while_sending_loses_and_doubles_nothing(broker, worker, caplog):
    caplog.set_level(logging.WARNING, logger="notifications.outbox")  # counted below
    users = [UserFactory() for _ in range(300)]
    rounds = [users[i : i + 10] for i in range(0, len(users), 10)]

    def notify(group, number):
        notifications_create(
            recipient_ids=[u.pk for u in group], kind="info", title=f"Đợt {number}"
        )

    # Half of them while the broker is up: each commit hands its 10 e-mails to the worker.
    for number, group in enumerate(rounds[:15]):
        notify(group, number)
    assert wait_for(lambda: len(worker.sent()) >= 30), worker.output()[-3000:]
    broker.kill()  # mid-way: the worker is sending, tasks are queued in Redis, all gone
    at_kill = len(worker.sent())
    pending_at_kill = outbox_backlog().pending
    # The other half while it is down: the enqueue fails, the callers are not disturbed.
    for number, group in enumerate(rounds[15:], start=15):
        notify(group, number)
    not_enqueued = caplog.text.count("the broker did not take the dispatch of 10 e-mails")
    broker.start()  # empty: what was queued is lost
    published = act_as_beat_until_sent()
    worker.stop()

    expected = Counter(u.email for u in users)
    received = Counter(m["to"][0] for m in worker.sent())
    result = figures(expected, received)
    print(
        f"\nbroker killed after {at_kill} of 300 e-mails ({pending_at_kill} pending); "
        f"{not_enqueued} fast-path dispatches refused while it was down; {published} scheduled "
        f"dispatches after the restart; {result}"
    )
    assert 0 < at_kill < 300 and pending_at_kill > 0  # the outage really came mid-way
    assert not_enqueued == 15
    assert result == {"expected": 300, "received": 300, "lost": 0, "doubled": 0}
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_sweep_while_the_broker_is_down_delivers_once_it_is_back(
    broker, worker, make_proposal, people
):
    for _ in range(20):
        make_proposal()  # due 4/5: on 5/5 overdue to the office head, escalated to the agency
    broker.kill()
    report = reminders_sweep(today=date(2026, 5, 5))
    # The sweep says what it did and what is not sent yet; it does not pretend.
    assert (report.reminders, report.emails, report.dispatch_not_enqueued) == (60, 60, 60)
    assert report.as_dict()["emails_not_enqueued"] == 60
    assert outbox_backlog().pending == 60 and worker.sent() == []
    broker.start()
    act_as_beat_until_sent()
    worker.stop()

    received = Counter((m["to"][0], m["subject"]) for m in worker.sent())
    assert len(received) == 60 and set(received.values()) == {1}
    per_person = Counter(to for to, _subject in received)
    heads = (people.office_head, people.agency_head, people.agency_board)
    assert per_person == {person.email: 20 for person in heads}


def test_digest_users_are_not_sent_immediately_through_the_worker(broker, worker):
    digest, immediate = UserFactory(), UserFactory()
    NotificationPreference.objects.create(user=digest, email="digest")
    notifications_create(recipient_ids=[digest.pk, immediate.pk], kind="info", title="Một")
    assert wait_for(lambda: outbox_backlog().pending == 0 and worker.sent())
    assert [m["to"] for m in worker.sent()] == [[immediate.email]]
