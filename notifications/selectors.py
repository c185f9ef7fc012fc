"""Reads of a user's notifications (a fixed number of queries per page) and of the outbox."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import Notification, NotificationPreference, OutboxEmail


def notifications_of(user, *, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("unit")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def unread_rows(user):
    """The navigation badge's rows (kl14.navigation counts a page's badges together)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def preference_of(user) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


@dataclass(frozen=True)
class OutboxBacklog:
    """What the outbox has not delivered yet, for /healthz, /readyz and the metrics."""

    pending: int  # waiting to be sent, whether tried already or not
    oldest_pending_at: datetime | None
    oldest_pending_age: float | None  # seconds
    retrying: int  # pending after at least one failed attempt
    failed: int  # given up after KL14_OUTBOX_MAX_ATTEMPTS (re-queued from the admin)

    def as_dict(self) -> dict:
        return {
            "pending": self.pending,
            "oldest_pending_age": self.oldest_pending_age,
            "retrying": self.retrying,
            "failed": self.failed,
        }


def outbox_backlog() -> OutboxBacklog:
    """Two queries over partial indexes, whatever the size of the outbox."""
    pending = OutboxEmail.objects.filter(status=OutboxEmail.Status.PENDING).aggregate(
        count=Count("pk"), oldest=Min("created_at"), retrying=Count("pk", filter=Q(attempts__gt=0))
    )
    failed = OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count()
    oldest = pending["oldest"]
    return OutboxBacklog(
        pending=pending["count"],
        oldest_pending_at=oldest,
        oldest_pending_age=(timezone.now() - oldest).total_seconds() if oldest else None,
        retrying=pending["retrying"],
        failed=failed,
    )
