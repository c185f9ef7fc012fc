"""E-mail: immediate or in a daily digest, in the recipient's language, retried when it fails."""

from datetime import date, time, timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from notifications.models import Digest, Notification
from notifications.services import notification_email_send, notifications_create
from notifications.tasks import send_digests, send_notification_emails
from tests.factories import UserFactory
from tests.factories.notifications import NotificationFactory, NotificationPreferenceFactory

from .conftest import on

pytestmark = pytest.mark.django_db


def test_an_immediate_e_mail_in_the_recipients_language():
    user = UserFactory(language="en", full_name="Lan Nguyen")
    notification = NotificationFactory(recipient=user, title="Overdue: X", url="/proposals/7/")
    assert notification_email_send(notification_id=notification.pk)
    (message,) = mail.outbox
    assert message.subject == "[KL14] Overdue: X"
    assert message.to == [user.email]
    assert "Hello Lan Nguyen," in message.body
    assert "http://127.0.0.1:8000/proposals/7/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="http://127.0.0.1:8000/proposals/7/"' in html
    vietnamese = NotificationFactory(recipient=UserFactory(language="vi", full_name="Trần An"))
    notification_email_send(notification_id=vietnamese.pk)
    assert "Kính gửi Trần An," in mail.outbox[1].body


def test_an_e_mail_goes_once():
    notification = NotificationFactory()
    assert notification_email_send(notification_id=notification.pk)
    assert not notification_email_send(notification_id=notification.pk)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_no_address_no_e_mail():
    notification = NotificationFactory(recipient=UserFactory(email=""))
    assert not notification_email_send(notification_id=notification.pk)
    assert mail.outbox == []


def test_a_failed_send_is_retried_and_not_lost():
    first, second = NotificationFactory(), NotificationFactory()
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky_send(message, *args, **kwargs):
        calls.append(message.to)
        if len(calls) == 1:
            raise SMTPException("mail server down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky_send):
        # Eager mode runs the retry at once; the worker waits 30 s, 60 s, ... in between.
        send_notification_emails.apply(args=[[first.pk, second.pk]], throw=False)
    assert len(calls) == 3  # first fails, second goes, then the retry sends first
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.recipient.email, second.recipient.email]
    )
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_task_retries_with_exponential_back_off():
    assert send_notification_emails.autoretry_for == (Exception,)
    assert send_notification_emails.retry_backoff == 30
    assert send_notification_emails.max_retries == 10


def test_notifications_create_renders_each_recipients_language(django_capture_on_commit_callbacks):
    from django.utils.translation import gettext_lazy as _

    vi, en = UserFactory(language="vi"), UserFactory(language="en")
    digest = NotificationPreferenceFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        notifications_create(
            recipient_ids=[vi.pk, en.pk, digest.pk], kind="info", title=_("Notifications")
        )
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles[vi.pk] == "Thông báo" and titles[en.pk] == "Notifications"
    # Immediate e-mail for the two; the digest user waits for the evening.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([vi.email, en.email])


def test_the_daily_digest_groups_a_users_notifications():
    today = date(2026, 5, 5)
    with on(today):
        reader = NotificationPreferenceFactory(user__language="en").user
        for title in ("First", "Second", "Third"):
            NotificationFactory(recipient=reader, title=title)
        other = NotificationPreferenceFactory().user
        NotificationFactory(recipient=other, title="Other")
        immediate = NotificationFactory(title="Immediate")  # its own task sends it
    with on(today, at=time(17, 30)):
        assert send_digests.delay().get() == 2
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == [reader.email])
    assert message.subject == "[KL14] Your KL14 notifications of 05/05/2026"
    assert "You have 3 new notifications:" in message.body
    assert message.body.index("First") < message.body.index("Second") < message.body.index("Third")
    assert "Other" not in message.body and "Immediate" not in message.body
    assert Digest.objects.get(user=reader).count == 3
    immediate.refresh_from_db()
    assert immediate.emailed_at is None


def test_one_digest_per_user_and_day():
    today = date(2026, 5, 5)
    reader = NotificationPreferenceFactory().user
    with on(today):
        NotificationFactory(recipient=reader)
        send_digests.delay()
        NotificationFactory(recipient=reader, title="Later that day")
        assert send_digests.delay().get() == 0
    assert len(mail.outbox) == 1
    with on(today + timedelta(days=1)):
        send_digests.delay()
    assert len(mail.outbox) == 2
    assert "Later that day" in mail.outbox[1].body


def test_an_immediate_e_mail_that_never_went_is_in_the_next_digest():
    user = UserFactory()
    with on(date(2026, 5, 4)):
        NotificationFactory(recipient=user, title="Lost")  # its task gave up
    with on(date(2026, 5, 5), at=time(17, 30)):
        send_digests.delay()
    (message,) = mail.outbox
    assert "Lost" in message.body


def test_a_broker_that_is_down_blocks_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        mock.patch.object(send_notification_emails, "delay", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notifications_create(recipient_ids=[user.pk], kind="info", title="Hello")
    assert Notification.objects.get(recipient=user).emailed_at is None  # for the digest
