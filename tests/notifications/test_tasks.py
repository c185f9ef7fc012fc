"""The beat schedule and the thin tasks behind it."""

from datetime import date

import pytest
from django.conf import settings

from kl14.celery import app
from notifications.tasks import send_periodic_reviews, sweep_reminders

from .conftest import DUE


def test_the_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks >= {
        "notifications.sweep_reminders",
        "notifications.send_digests",
        "notifications.send_periodic_reviews",
        "notifications.dispatch_outbox",
        "notifications.purge_outbox",
        "kl14.delete_orphan_uploads",
    }
    # The outbox is dispatched every minute, whatever the fast path did.
    assert settings.CELERY_BEAT_SCHEDULE["outbox-dispatch"]["schedule"] == 60.0
    assert tasks <= set(app.tasks)


@pytest.mark.django_db
def test_the_sweep_task(make_proposal, people):
    make_proposal()
    assert sweep_reminders.delay(DUE.isoformat()).get() == {
        "day": "2026-05-04",
        "items": 1,
        "reminders": 1,
        "emails_queued": 1,
        "emails_not_enqueued": 0,  # not run in a transaction that commits here
    }
    assert sweep_reminders.delay("2026-05-02").get()["items"] == 0  # a Saturday


@pytest.mark.django_db
def test_the_periodic_reviews_task(people):
    assert send_periodic_reviews.delay(date(2026, 4, 1).isoformat()).get() == 3
