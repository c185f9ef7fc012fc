"""What the reminders sweep and the periodic reviews record, and what users receive.

`Reminder` is the exactly-once ledger of the sweep: one row per (deadline kind, item, due date,
kind of reminder, recipient, day) under a unique constraint. A notification is created only for a
reminder row the creating transaction actually inserted, so re-runs and racing sweeps send nothing
twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kl14.choices import ChoiceLabels


class ReminderKind(models.TextChoices):
    EARLY = "early", _("Deadline approaching")
    DUE = "due", _("Deadline reached")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalation")
    REVIEW = "review", _("Periodic review")


class NotificationKind(models.TextChoices):
    EARLY = ReminderKind.EARLY.value, ReminderKind.EARLY.label
    DUE = ReminderKind.DUE.value, ReminderKind.DUE.label
    OVERDUE = ReminderKind.OVERDUE.value, ReminderKind.OVERDUE.label
    ESCALATION = ReminderKind.ESCALATION.value, ReminderKind.ESCALATION.label
    REVIEW = ReminderKind.REVIEW.value, ReminderKind.REVIEW.label
    INFO = "info", _("Information")
    # Event notifications (notifications.events): someone must act now, or something happened.
    ACTION = "action", _("Your turn")
    UPDATE = "update", _("What happened")


class Reminder(models.Model):
    """One reminder the sweep decided to send. `day` is the day it belongs to: the due date for
    the early and on-the-day reminders (once per deadline), the working day for overdue reminders
    and escalations (once per working day), the first day of the period for periodic reviews."""

    deadline = models.CharField(_("deadline kind"), max_length=64)
    item_id = models.PositiveBigIntegerField(_("item"))
    due = models.DateField(_("due date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "item_id", "due", "kind", "recipient", "day"],
                name="reminder_once",
            ),
        ]

    def __str__(self):
        return f"{self.deadline}#{self.item_id} {self.kind} {self.day} → {self.recipient_id}"


def review_report_path(instance, filename):
    return f"notifications/reviews/{instance.start:%Y}/{filename}"


class PeriodicReview(models.Model):
    """The summary of a unit's subtree for one quarter (sơ kết) or year (tổng kết)."""

    class Period(models.TextChoices):
        QUARTER = "quarter", _("Quarterly review")
        YEAR = "year", _("Yearly review")

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    report = models.FileField(_("report"), upload_to=review_report_path, max_length=255)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")
        ordering = ["-start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "start"], name="one_review_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.get_period_display()} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class Notification(ChoiceLabels, models.Model):
    """A message in a user's notification centre, written in the recipient's language."""

    Kind = NotificationKind

    # Indexed by notification_inbox (recipient, -created_at), whose first column serves every
    # lookup by recipient: an index of its own would only cost each insert (a first national
    # sweep writes half a million notifications).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(pgettext_lazy("notification", "title"), max_length=400)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    # The ledger entry an event notification tells about, and the event (notifications.events).
    # No database constraint: ledger rows are never deleted, and a notification must never stand in
    # the way of the ledger's own tamper checks (a row removed by hand is found by verification).
    # Indexed by notification_once_per_entry (entry, recipient), where an entry is set.
    entry = models.ForeignKey(
        "ledger.LedgerEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger entry"),
    )
    event = models.CharField(_("event"), max_length=64, blank=True)
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("reminder"),
    )
    review = models.ForeignKey(
        PeriodicReview,
        on_delete=models.SET_NULL,
        db_index=False,  # notification_review: where one is set
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("periodic review"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # The daily digest that carries it by e-mail (digest users); immediate e-mails have an
    # `outbox_email` instead.
    digest = models.ForeignKey(
        "Digest",
        on_delete=models.SET_NULL,
        db_index=False,  # notification_digest: where one is set
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("daily digest"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
            # Most notifications belong to no periodic review and no digest: their keys are
            # left out of these indexes (a lookup by one, as SET_NULL does, implies it is set).
            models.Index(
                fields=["review"], condition=Q(review__isnull=False), name="notification_review"
            ),
            models.Index(
                fields=["digest"], condition=Q(digest__isnull=False), name="notification_digest"
            ),
        ]
        constraints = [
            # An event reaches each recipient once, however often its delivery is attempted.
            models.UniqueConstraint(
                fields=["entry", "recipient"],
                condition=Q(entry__isnull=False),
                name="notification_once_per_entry",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def kind_label(self) -> str:
        """get_kind_display() without its cost: Django builds a dict of the choices, hashing each
        translated label, on every call (0.65 ms a page of 20 notifications)."""
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user wants their notifications by e-mail. No row means the default: immediately."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately, one e-mail per notification")
        DIGEST = "digest", _("Once a day, in a daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.CharField(
        _("e-mail delivery"), max_length=16, choices=Email.choices, default=Email.IMMEDIATE
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: {self.get_email_display()}"


class Digest(models.Model):
    """A user's daily digest e-mail: at most one per user and day. It is composed (its
    notifications point to it and its outbox e-mail is written) in one transaction, and sent from
    the outbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    count = models.PositiveIntegerField(_("notifications"))

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}"


class OutboxEmail(models.Model):
    """One e-mail to deliver, written in the same transaction as what it tells (a notification, a
    digest, any message Django sends through `notifications.mail.OutboxBackend`), and delivered
    from here by the dispatcher (`notifications.outbox`): a broker or mail server that is down
    delays it, never loses it.

    A notification or a digest is rendered when it is sent (in the recipient's language, with the
    periodic review's spreadsheet attached); any other message is stored serialised in `message`,
    which is emptied once it went out (a password-reset link does not stay in the database)."""

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("Notification")
        DIGEST = "digest", _("Daily digest")
        MESSAGE = "message", _("Other e-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up after repeated failures")
        CANCELLED = "cancelled", _("Nothing to send (no address)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_email",
        verbose_name=_("notification"),
    )
    digest = models.OneToOneField(
        Digest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_email",
        verbose_name=_("daily digest"),
    )
    message = models.JSONField(_("message"), null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    # Databases without row locks (SQLite): whoever set this owns the row until then.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_due",
            ),
            models.Index(fields=["created_at"], condition=Q(status="failed"), name="outbox_failed"),
            models.Index(fields=["sent_at"], condition=Q(status="sent"), name="outbox_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="notification",
                        notification__isnull=False,
                        digest__isnull=True,
                        message__isnull=True,
                    )
                    | Q(
                        kind="digest",
                        digest__isnull=False,
                        notification__isnull=True,
                        message__isnull=True,
                    )
                    | Q(kind="message", notification__isnull=True, digest__isnull=True)
                ),
                name="outbox_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


_KIND_LABELS = dict(NotificationKind.choices)
