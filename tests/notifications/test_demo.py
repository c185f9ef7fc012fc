"""`make run` shows reminders: the demo's proposals due soon and overdue are swept after seeding."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Notification, NotificationPreference, PeriodicReview

from .conftest import on

pytestmark = pytest.mark.django_db


def test_the_demo_has_reminders_and_seeding_again_sends_nothing_new(
    django_capture_on_commit_callbacks,
):
    with on(date(2026, 6, 10)), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"early", "overdue", "escalation"} <= kinds
    assert PeriodicReview.objects.exists()
    assert mail.outbox  # immediate e-mails
    assert NotificationPreference.objects.filter(
        user__username="tinh.orgboard", email=NotificationPreference.Email.DIGEST
    ).exists()
    count = Notification.objects.count()
    with on(date(2026, 6, 10)), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert Notification.objects.count() == count
