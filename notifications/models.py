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
    # The batch that inserted the row: after an INSERT that ignores conflicts, the rows carrying
    # this batch's token are exactly the ones it won.
    sweep = models.UUIDField(_("sweep"), db_index=True, editable=False)
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


class Notification(models.Model):
    """A message in a user's notification centre, written in the recipient's language."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
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
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("periodic review"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

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
        ]

    def __str__(self):
        return self.title

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
    """A daily digest e-mail that went out: at most one per user and day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    count = models.PositiveIntegerField(_("notifications"))

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}"
