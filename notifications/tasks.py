"""Thin Celery tasks: ids in, a service call, retries with exponential back-off."""

from datetime import date

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import services

EMAIL_RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 30,  # 30 s, 60 s, 120 s ... capped below
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
}
DATABASE_RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "max_retries": 5,
}


@shared_task(name="notifications.sweep_reminders", **DATABASE_RETRY)
def sweep_reminders(today: str | None = None) -> dict:
    report = services.reminders_sweep(today=date.fromisoformat(today) if today else None)
    return {"day": report.day.isoformat(), "items": report.items, "reminders": report.reminders}


@shared_task(name="notifications.send_notification_emails", **EMAIL_RETRY)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Tries every e-mail, then fails if one did: the retry skips the ones that went out."""
    sent, error = 0, None
    for notification_id in notification_ids:
        try:
            sent += services.notification_email_send(notification_id=notification_id)
        except Exception as exc:  # retried as a whole below
            error = error or exc
    if error is not None:
        raise error
    return sent


@shared_task(name="notifications.send_digests", **DATABASE_RETRY)
def send_digests(day: str | None = None) -> int:
    day = date.fromisoformat(day) if day else timezone.localdate()
    user_ids = services.digest_recipients(day=day)
    for user_id in user_ids:
        send_digest.delay(user_id, day.isoformat())
    return len(user_ids)


@shared_task(name="notifications.send_digest", **EMAIL_RETRY)
def send_digest(user_id: int, day: str) -> bool:
    return services.digest_send(user_id=user_id, day=date.fromisoformat(day)) is not None


@shared_task(name="notifications.send_periodic_reviews", **DATABASE_RETRY)
def send_periodic_reviews(today: str | None = None) -> int:
    return services.periodic_reviews_send(today=date.fromisoformat(today) if today else None)
