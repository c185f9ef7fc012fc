from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Change")
    END = "end", _("End")
    UNCHANGED = "unchanged", _("Unchanged")
    REFUSED = "refused", pgettext_lazy("outcome of an import row", "Refused")


class ImportBatch(models.Model):
    """One uploaded file: its dry run (the plan, row by row) and, once confirmed, its import.

    The rows read from the file are kept (ImportRow.data), not the file: confirming re-plans them
    against the database as it is then, and refuses if the outcome would differ from the dry run
    the admin saw."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Dry run, not imported")
        INVALID = "invalid", _("Refused: the file has errors")
        APPLIED = "applied", _("Imported")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_batches",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    summary = models.JSONField(_("summary"), default=dict)
    skipped_sheets = models.JSONField(_("skipped sheets"), default=list)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("onboarding:batch", args=[self.pk])


class ImportRow(models.Model):
    """One row of the file and what the import does with it."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        PERSON = "person", _("Person")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()  # order in the file, all sheets together
    sheet = models.CharField(_("sheet"), max_length=64)
    line = models.PositiveIntegerField(_("row"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    data = models.JSONField(default=dict)  # the cells, as text, by column key
    action = models.CharField(_("outcome"), max_length=16, choices=Action.choices)
    subject = models.CharField(_("subject"), max_length=255)
    messages = models.JSONField(default=list)  # what will change, or why the row is refused
    ends_post = models.BooleanField(default=False)  # a membership ends: list its open tasks

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="unique_import_row"),
        ]
        indexes = [models.Index(fields=["batch", "action", "position"])]

    def __str__(self):
        return f"{self.sheet}:{self.line} {self.action}"
