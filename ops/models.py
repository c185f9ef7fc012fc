from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskFailure(models.Model):
    """A Celery task that raised (after its retries). Written by the worker, counted by the
    metrics endpoint of the web processes: they do not share memory, they share the database."""

    task = models.CharField(_("task"), max_length=200)
    exception = models.CharField(_("exception"), max_length=200)
    message = models.TextField(pgettext_lazy("what went wrong", "message"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("task failure")
        verbose_name_plural = _("task failures")
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task}: {self.exception}"


class Submission(models.Model):
    """A write sent with a one-time key (a form's hidden `kl14_once` field, or an API client's
    `Idempotency-Key` header), claimed before its view runs: the same write sent again (a double
    click, a network that repeats a POST, a client that retries after a timeout) gets the first
    one's answer instead of being done twice (ops.submissions). `status` is empty while the
    first is under way."""

    scope = models.CharField(_("scope"), max_length=40)  # the sender: "user:<pk>" or "anonymous"
    key = models.CharField(_("key"), max_length=100)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    path = models.CharField(_("address"), max_length=500)
    status = models.PositiveSmallIntegerField(
        pgettext_lazy("HTTP status of the kept answer", "status"), null=True, blank=True
    )
    location = models.CharField(_("location"), max_length=2000, blank=True)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    body = models.BinaryField(_("body"), blank=True, default=b"")
    kept = models.BooleanField(_("answer kept"), default=True)
    claimed_at = models.DateTimeField(_("claimed at"), db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="ops_submission_once"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"
