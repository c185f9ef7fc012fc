from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    """A Celery task that raised (after its retries). Written by the worker, counted by the
    metrics endpoint of the web processes: they do not share memory, they share the database."""

    task = models.CharField(_("task"), max_length=200)
    exception = models.CharField(_("exception"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("task failure")
        verbose_name_plural = _("task failures")
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task}: {self.exception}"
