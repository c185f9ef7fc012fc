"""Reads of a user's notifications: a fixed number of queries per page."""

from django.db.models import QuerySet

from .models import Notification, NotificationPreference


def notifications_of(user, *, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("unit")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def unread_count(user) -> int | None:
    """The navigation badge: one query."""
    if not user.is_authenticated:
        return None
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preference_of(user) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )
