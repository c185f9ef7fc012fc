"""The mail server fails: Django's real SMTP backend against a local SMTP server (aiosmtpd) that
is first not there at all, then answers "451 try again later", then accepts. The outbox keeps the
rows pending with a growing back-off and delivers each once when the server recovers."""

from datetime import UTC, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from notifications.models import OutboxEmail
from notifications.outbox import dispatch
from notifications.services import notifications_create
from tests.factories import UserFactory
from tests.servers import free_port

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 5, 1, 0, tzinfo=UTC)


class FlakyServer:
    """Refuses the first `refuse` messages with a temporary error, then accepts."""

    def __init__(self, refuse: int):
        self.refuse = refuse
        self.received: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.received.append(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.KL14_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.KL14_OUTBOX_RETRY_BASE, settings.KL14_OUTBOX_RETRY_MAX = 60, 3600
    return port


def pending_waits():
    now = timezone.now()
    return sorted(
        (row.next_attempt_at - now).total_seconds()
        for row in OutboxEmail.objects.filter(status="pending")
    )


def test_rows_wait_with_growing_back_off_until_the_mail_server_recovers(smtp):
    users = [UserFactory() for _ in range(3)]
    server = FlakyServer(refuse=2)
    controller = Controller(server, hostname="127.0.0.1", port=smtp)
    with time_machine.travel(T0, tick=False) as clock:
        notifications_create(recipient_ids=[u.pk for u in users], kind="info", title="Nhắc việc")
        # No mail server at all: connection refused, three times over.
        for wait in (60, 120, 240):
            report = dispatch()
            assert (report.sent, report.failed) == (0, 3)
            assert pending_waits() == [wait] * 3
            assert "ConnectionRefusedError" in OutboxEmail.objects.first().last_error
            clock.shift(wait)
        # The server is back but busy: the first two get "451 try again later".
        controller.start()
        try:
            report = dispatch()
            assert (report.sent, report.failed) == (1, 2)
            assert pending_waits() == [480, 480]
            assert "451" in OutboxEmail.objects.filter(status="pending").first().last_error
            assert dispatch().sent == 0  # not before their time
            clock.shift(480)
            assert dispatch().sent == 2
        finally:
            controller.stop()
    assert sorted(to for (to,) in server.received) == sorted(u.email for u in users)
    assert sorted(OutboxEmail.objects.values_list("status", "attempts")) == [
        ("sent", 4),
        ("sent", 5),
        ("sent", 5),
    ]
