"""E-mail: immediate or in a daily digest, in the recipient's language, through the outbox."""

from datetime import date, time, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils.translation import gettext_lazy as _

from notifications.models import Digest, Notification, OutboxEmail
from notifications.outbox import dispatch
from notifications.services import notifications_create
from notifications.tasks import dispatch_outbox, send_digests
from tests.factories import UserFactory
from tests.factories.notifications import NotificationFactory, NotificationPreferenceFactory

from .conftest import on

pytestmark = pytest.mark.django_db


def notify(*users, title="Thông báo", url="/", **fields):
    return notifications_create(
        recipient_ids=[u.pk for u in users], kind="info", title=title, url=url, **fields
    )


def test_an_immediate_e_mail_in_the_recipients_language():
    user = UserFactory(language="en", full_name="Lan Nguyen")
    (notification,) = notify(user, title="Overdue: X", url="/proposals/7/")
    assert dispatch().sent == 1
    (message,) = mail.outbox
    assert message.subject == "[KL14] Overdue: X"
    assert message.to == [user.email]
    assert "Hello Lan Nguyen," in message.body
    # The link is the notification's own: it marks it read and goes on to /proposals/7/ (or shows
    # the notification where that page is not the recipient's to see: notifications.targets).
    link = f"http://127.0.0.1:8000/notifications/{notification.pk}/"
    assert link in message.body and "/proposals/7/" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    notify(UserFactory(language="vi", full_name="Trần An"))
    dispatch()
    assert "Kính gửi Trần An," in mail.outbox[1].body


def test_the_outbox_row_is_written_with_the_notification():
    user = UserFactory()
    (notification,) = notify(user)
    row = OutboxEmail.objects.get()
    assert (row.kind, row.notification, row.recipient, row.status, row.attempts) == (
        "notification",
        notification,
        user,
        "pending",
        0,
    )
    assert mail.outbox == []  # nothing is sent inside the transaction


def test_an_e_mail_goes_once():
    (notification,) = notify(UserFactory())
    assert dispatch().sent == 1
    assert dispatch().sent == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    row = OutboxEmail.objects.get()
    assert notification.emailed_at is not None and notification.emailed_at == row.sent_at
    assert (row.status, row.attempts) == ("sent", 1)


def test_no_address_no_e_mail():
    notify(UserFactory(email=""))
    assert not OutboxEmail.objects.exists()
    assert dispatch().sent == 0 and mail.outbox == []


def test_an_address_removed_before_sending_cancels_the_e_mail():
    user = UserFactory()
    notify(user)
    user.email = ""
    user.save()
    assert dispatch().cancelled == 1
    assert OutboxEmail.objects.get().status == "cancelled" and mail.outbox == []


def test_the_fast_path_sends_on_commit(django_capture_on_commit_callbacks):
    vi, en = UserFactory(language="vi"), UserFactory(language="en")
    digest = NotificationPreferenceFactory().user
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(vi, en, digest, title=_("Notifications"))
    assert len(callbacks) == 1  # one dispatch task for the transaction's e-mails
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles[vi.pk] == "Thông báo" and titles[en.pk] == "Notifications"
    # Immediate e-mail for the two; the digest user waits for the evening.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([vi.email, en.email])
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_broker_that_is_down_loses_nothing(django_capture_on_commit_callbacks, caplog):
    user = UserFactory()
    with (
        mock.patch.object(dispatch_outbox, "apply_async", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(user)  # the caller is not disturbed
    assert "the broker did not take the dispatch of 1 e-mails" in caplog.text
    assert OutboxEmail.objects.get().status == "pending"
    # Beat's next dispatch sends it.
    assert dispatch_outbox.delay().get() == {"sent": 1, "failed": 0, "given_up": 0, "cancelled": 0}
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_the_daily_digest_groups_a_users_notifications():
    today = date(2026, 5, 5)
    with on(today):
        reader = NotificationPreferenceFactory(user__language="en").user
        for title in ("First", "Second", "Third"):
            notify(reader, title=title)
        other = NotificationPreferenceFactory().user
        notify(other, title="Other")
        notify(UserFactory(), title="Immediate")  # its own outbox e-mail
    with on(today, at=time(17, 30)):
        assert send_digests.delay().get() == 2
        assert OutboxEmail.objects.filter(kind="digest", status="pending").count() == 2
        assert dispatch().sent == 3
    message = next(m for m in mail.outbox if m.to == [reader.email])
    assert message.subject == "[KL14] Your KL14 notifications of 05/05/2026"
    assert "You have 3 new notifications:" in message.body
    assert message.body.index("First") < message.body.index("Second") < message.body.index("Third")
    assert "Other" not in message.body and "Immediate" not in message.body
    digest = Digest.objects.get(user=reader)
    assert digest.count == 3 and digest.sent_at is not None
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_one_digest_per_user_and_day():
    today = date(2026, 5, 5)
    reader = NotificationPreferenceFactory().user
    with on(today):
        notify(reader)
        send_digests.delay()
        notify(reader, title="Later that day")
        assert send_digests.delay().get() == 0
        dispatch()
    assert len(mail.outbox) == 1
    with on(today + timedelta(days=1)):
        send_digests.delay()
        dispatch()
    assert len(mail.outbox) == 2
    assert "Later that day" in mail.outbox[1].body


def test_a_digest_whose_mail_server_was_down_goes_later_not_twice(settings):
    reader = NotificationPreferenceFactory().user
    with on(date(2026, 5, 5), at=time(17, 30)):
        notify(reader)
        send_digests.delay()
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages") as send:
            send.side_effect = OSError("mail server down")
            assert dispatch().failed == 1
    with on(date(2026, 5, 6), at=time(17, 30)):
        assert send_digests.delay().get() == 0  # the notification is in yesterday's digest
        assert dispatch().sent == 1
    assert len(mail.outbox) == 1


def test_a_notification_made_before_switching_to_digest_keeps_its_e_mail():
    user = UserFactory(language="en")
    with on(date(2026, 5, 5)):
        notify(user, title="Before")
        NotificationPreferenceFactory(user=user)
        notify(user, title="After")
    with on(date(2026, 5, 5), at=time(17, 30)):
        send_digests.delay()
        dispatch()
    by_subject = {m.subject: m.body for m in mail.outbox}
    assert sorted(by_subject) == ["[KL14] Before", "[KL14] Your KL14 notifications of 05/05/2026"]
    digest = by_subject["[KL14] Your KL14 notifications of 05/05/2026"]
    assert "After" in digest and "Before" not in digest


def test_a_digest_attaches_the_periodic_reviews(people):
    from notifications.services import periodic_reviews_send

    board = people.office_board
    NotificationPreferenceFactory(user=board)
    with on(date(2026, 7, 1)):
        periodic_reviews_send()
    with on(date(2026, 7, 1), at=time(17, 30)):
        send_digests.delay()
        dispatch()
    message = next(m for m in mail.outbox if m.to == [board.email])
    assert [name for name, _content, _type in message.attachments] == ["P-A-O-quarter-2026-04.xlsx"]


def test_legacy_notifications_without_outbox_row_go_in_the_digest():
    user = UserFactory()
    with on(date(2026, 5, 4)):
        NotificationFactory(recipient=user, title="Older")  # written without the service
    with on(date(2026, 5, 5), at=time(17, 30)):
        send_digests.delay()
        dispatch()
    (message,) = mail.outbox
    assert "Older" in message.body
