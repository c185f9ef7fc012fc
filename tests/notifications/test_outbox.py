"""The outbox itself: back-off, giving up, re-queueing, Django's mail, the claim, the backlog."""

import threading
import time
from datetime import UTC, datetime, timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
import time_machine
from django.contrib.admin.sites import AdminSite
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import outbox
from notifications.admin import OutboxEmailAdmin
from notifications.models import Notification, OutboxEmail
from notifications.outbox import dispatch, retry_delay
from notifications.selectors import outbox_backlog
from notifications.services import notifications_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"
T0 = datetime(2026, 5, 5, 1, 0, tzinfo=UTC)


def notify(*users, title="Thông báo"):
    return notifications_create(recipient_ids=[u.pk for u in users], kind="info", title=title)


def test_the_delay_doubles_up_to_the_cap(settings):
    settings.KL14_OUTBOX_RETRY_BASE, settings.KL14_OUTBOX_RETRY_MAX = 60, 3600
    delays = [retry_delay(n).total_seconds() for n in range(1, 9)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_mail_server_that_is_down_keeps_the_rows_pending_with_growing_back_off(settings):
    settings.KL14_OUTBOX_RETRY_BASE, settings.KL14_OUTBOX_RETRY_MAX = 60, 3600
    users = [UserFactory() for _ in range(3)]
    with time_machine.travel(T0, tick=False) as clock:
        notify(*users)
        waits = []
        with mock.patch(LOCMEM_SEND, side_effect=SMTPServerDisconnected("connection refused")):
            for _attempt in range(4):
                report = dispatch()
                assert (report.sent, report.failed) == (0, 3)
                # Nothing is due again before its time.
                assert dispatch().failed == 0
                rows = list(OutboxEmail.objects.order_by("pk"))
                assert {r.status for r in rows} == {"pending"}
                (wait,) = {r.next_attempt_at - timezone.now() for r in rows}
                waits.append(wait.total_seconds())
                clock.move_to(rows[0].next_attempt_at)
        assert waits == [60, 120, 240, 480]
        row = OutboxEmail.objects.first()
        assert row.attempts == 4
        assert row.last_error == "SMTPServerDisconnected: connection refused"
        backlog = outbox_backlog()
        assert (backlog.pending, backlog.retrying, backlog.failed) == (3, 3, 0)
        # The mail server is back: everything goes, once.
        assert dispatch().sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(OutboxEmail.objects.values_list("status", "attempts")) == {("sent", 5)}
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_after_the_last_attempt_the_row_is_failed_and_can_be_requeued(settings, rf, caplog):
    settings.KL14_OUTBOX_MAX_ATTEMPTS = 3
    with time_machine.travel(T0, tick=False) as clock:
        notify(UserFactory())
        with mock.patch(LOCMEM_SEND, side_effect=OSError("mail server down")):
            for _attempt in range(3):
                dispatch()
                clock.shift(timedelta(days=1))
        row = OutboxEmail.objects.get()
        assert (row.status, row.attempts) == ("failed", 3)
        assert f"outbox: e-mail #{row.pk} failed (attempt 3)" in caplog.text
        assert outbox_backlog().failed == 1
        assert dispatch().sent == 0  # given up: not tried again by itself
        # An operator re-queues it from the admin.
        request = rf.post("/")
        request.user = UserFactory(is_superuser=True, is_staff=True)
        admin = OutboxEmailAdmin(OutboxEmail, AdminSite())
        with mock.patch.object(admin, "message_user"):
            admin.requeue(request, OutboxEmail.objects.all())
        assert OutboxEmail.objects.get().status == "pending"
        assert dispatch().sent == 1
    assert len(mail.outbox) == 1


def test_one_broken_e_mail_does_not_hold_up_the_others():
    first, second = UserFactory(), UserFactory()
    notify(first, title="Broken")
    notify(second, title="Fine")
    real = outbox._render

    def render(row):
        if row.notification.title == "Broken":
            raise ValueError("a template bug")
        return real(row)

    with mock.patch.object(outbox, "_render", render):
        report = dispatch()
    assert (report.sent, report.failed) == (1, 1)
    assert [m.to for m in mail.outbox] == [[second.email]]
    broken = OutboxEmail.objects.get(notification__title="Broken")
    assert (broken.status, broken.last_error) == ("pending", "ValueError: a template bug")


def test_password_reset_goes_through_the_outbox_and_its_link_is_not_kept(client, settings):
    settings.EMAIL_BACKEND = "notifications.mail.OutboxBackend"
    UserFactory(email="an@example.vn")
    client.post(reverse("password_reset"), {"email": "an@example.vn"})
    row = OutboxEmail.objects.get()
    assert row.kind == "message" and row.message["to"] == ["an@example.vn"]
    assert mail.outbox == []
    assert dispatch().sent == 1
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link[link.index("/accounts/") :].strip()
    assert client.get(path, follow=True).status_code == 200
    row.refresh_from_db()
    assert (row.status, row.message) == ("sent", None)


def test_any_message_survives_the_round_trip():
    message = EmailMultiAlternatives(
        subject="Chủ đề",
        body="Nội dung",
        from_email="KL14 <no-reply@kl14.local>",
        to=["a@example.vn"],
        cc=["b@example.vn"],
        bcc=["c@example.vn"],
        reply_to=["d@example.vn"],
        headers={"X-KL14": "1"},
    )
    message.attach_alternative("<p>Nội dung</p>", "text/html")
    message.attach("báo cáo.xlsx", b"PK\x03\x04binary", "application/octet-stream")
    message.attach("note.txt", "văn bản", "text/plain")
    again = outbox.deserialize(outbox.serialize(message))
    assert again.message().as_bytes().count(b"X-KL14: 1") == 1
    for name in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to", "alternatives"):
        assert getattr(again, name) == getattr(message, name), name
    assert again.attachments == [
        ("báo cáo.xlsx", b"PK\x03\x04binary", "application/octet-stream"),
        ("note.txt", "văn bản", "text/plain"),
    ]


def test_the_backlog_in_two_queries():
    with time_machine.travel(T0, tick=False) as clock:
        assert outbox_backlog().as_dict() == {
            "pending": 0,
            "oldest_pending_age": None,
            "retrying": 0,
            "failed": 0,
        }
        notify(UserFactory(), UserFactory())
        clock.shift(timedelta(minutes=5))
        notify(UserFactory())
        with CaptureQueriesContext(connection) as queries:
            backlog = outbox_backlog()
        assert len(queries) == 2
        assert backlog.pending == 3 and backlog.oldest_pending_age == 300
        assert backlog.oldest_pending_at == T0


def test_a_row_leased_by_another_dispatcher_is_left_alone():
    """The lease of databases without row locks (SQLite); PostgreSQL's locks: test_faults.py."""
    with time_machine.travel(T0, tick=False) as clock:
        notify(UserFactory())
        OutboxEmail.objects.update(claimed_until=T0 + timedelta(minutes=10))
        with mock.patch.object(connection.features, "has_select_for_update_skip_locked", False):
            assert dispatch().sent == 0
            clock.shift(timedelta(minutes=11))  # that dispatcher died: its lease ran out
            assert dispatch().sent == 1
    assert OutboxEmail.objects.get().claimed_until is None


def test_the_fast_path_sends_only_its_own_rows():
    (first,) = notify(UserFactory())
    notify(UserFactory())
    assert dispatch(ids=[first.outbox_email.pk]).sent == 1
    assert outbox_backlog().pending == 1


def test_sent_records_are_purged_after_the_keep_days(settings):
    settings.KL14_OUTBOX_KEEP_DAYS = 30
    with time_machine.travel(T0, tick=False) as clock:
        (notification,) = notify(UserFactory())
        notify(UserFactory(email=""))  # nothing in the outbox
        dispatch()
        notify(UserFactory())  # still pending
        clock.shift(timedelta(days=31))
        assert outbox.sent_purge() == 1
    assert list(OutboxEmail.objects.values_list("status", flat=True)) == ["pending"]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.services
def test_racing_dispatchers_send_each_row_once(postgres, transactional_db):
    """Four dispatchers at once on PostgreSQL: SKIP LOCKED gives each row to one of them."""
    users = [UserFactory() for _ in range(60)]
    with mock.patch.object(outbox, "dispatch_on_commit"):  # no fast path: the rows wait
        for user in users:
            notify(user)
    real_send = mail.backends.locmem.EmailBackend.send_messages

    def slow_send(backend, messages):
        time.sleep(0.01)  # a mail server takes a while: the dispatchers overlap
        return real_send(backend, messages)

    barrier = threading.Barrier(4, timeout=20)
    reports, errors = [], []

    def run():
        try:
            barrier.wait()
            reports.append(dispatch())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    with mock.patch(LOCMEM_SEND, slow_send):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert sum(r.sent for r in reports) == 60
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
