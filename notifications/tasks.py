"""Thin Celery tasks: ids in, a service call. E-mail is not retried here: its outbox rows carry
their own attempts and back-off, and beat's dispatch every minute picks up whatever is due."""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from . import outbox, services

DATABASE_RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "max_retries": 5,
}


@shared_task(name="notifications.sweep_reminders", **DATABASE_RETRY)
def sweep_reminders(
    today: str | None = None,
    part: int | None = None,
    parts: int | None = None,
    key_ranges: dict | None = None,
) -> dict:
    """Beat, hourly. With KL14_SWEEP_PARTS > 1 the day's sweep is handed out as that many tasks,
    one per share of the items (cut from key ranges read here, once), that the workers run side
    by side. A share the broker did not take is swept by the next hour's run (each reminder is
    recorded once, whoever sends it)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    parts = parts or settings.KL14_SWEEP_PARTS
    if part is None and parts > 1:
        ranges = services.sweep_key_ranges(today=day)
        for share in range(parts):
            sweep_reminders.delay(day.isoformat(), share, parts, ranges)
        return {"day": day.isoformat(), "parts": parts}
    if key_ranges is not None:  # JSON made the pairs lists
        key_ranges = {key: tuple(keys) if keys else None for key, keys in key_ranges.items()}
    return services.reminders_sweep(
        today=day, part=part or 0, parts=parts, key_ranges=key_ranges
    ).as_dict()


@shared_task(name="notifications.dispatch_outbox")
def dispatch_outbox(ids: list[int] | None = None) -> dict:
    """Beat, every minute: every due e-mail. On commit (the fast path): the rows just written."""
    return outbox.dispatch(ids=ids).as_dict()


@shared_task(name="notifications.send_digests", **DATABASE_RETRY)
def send_digests(day: str | None = None) -> int:
    return services.digests_compose(day=date.fromisoformat(day) if day else timezone.localdate())


@shared_task(name="notifications.send_periodic_reviews", **DATABASE_RETRY)
def send_periodic_reviews(today: str | None = None) -> int:
    return services.periodic_reviews_send(today=date.fromisoformat(today) if today else None)


@shared_task(name="notifications.purge_outbox")
def purge_outbox() -> int:
    return outbox.sent_purge()
