"""Export jobs: a heavy file (a period report, a protection dossier) is asked for in a request
and built by a worker, never in the request.

The job row is its own outbox: it is written in the requester's transaction and handed to a
worker once that commits; beat's sweep hands it again when the broker refused it, the message was
lost, or a worker died holding it (exports/services.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_path(instance, filename):
    # The job's id in the path: two jobs' files never collide, whatever their names.
    return f"exports/{timezone.now():%Y/%m}/{instance.pk}/{filename}"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    IN_FLIGHT = (Status.QUEUED, Status.RUNNING)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=32)
    params = models.JSONField(_("parameters"), default=dict)
    # The kind and parameters as one hash: the same export asked again while one is under way
    # is that one (services.export_request).
    key = models.CharField(_("key"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, blank=True, max_length=255)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # What the file is known by elsewhere: the dossier's verification code.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)  # for the requester
    last_error = models.TextField(_("last error"), blank=True)  # for the administrator
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # A queued job: when beat's sweep hands it to a worker (again).
    next_attempt_at = models.DateTimeField(_("next dispatch"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="export_job_requester"),
            models.Index(fields=["requested_by", "key"], name="export_job_key"),
            models.Index(fields=["status", "next_attempt_at"], name="export_job_due"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def in_flight(self) -> bool:
        return self.status in self.IN_FLIGHT

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_expired(self) -> bool:
        return not self.in_flight and self.expires_at < timezone.now()
