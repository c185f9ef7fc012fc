"""Official documents (văn bản) that decisions with legal effect issue, in the format of Decree
30/2020/NĐ-CP (administrative) or of the Party's guidance (Party committees), numbered from a
register per issuing unit and year.

A document is created `pending` in the transaction of the decision that issues it, with its number
reserved and its content frozen; a worker renders, signs and stores it later (`issued`), so a slow
renderer or a broker outage only delays the files, never the decision or its number. Kept for good
(PROTECT): Decree 73 wants the records for at least 5 years.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kl14.choices import ChoiceLabels


class DocType(models.TextChoices):
    DECISION = "QĐ", _("Decision")
    NOTICE = "TB", _("Notice")
    CONCLUSION = "KL", pgettext_lazy("type of document", "Conclusion")


class Register(models.Model):
    """The register of outgoing documents (sổ đăng ký văn bản đi) of a unit for a year: numbers
    run from 01 on 1 January, without gaps (a number is reserved in the transaction of the decision,
    so a decision that rolls back takes its number with it)."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document register")
        verbose_name_plural = _("document registers")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unique_document_register"),
        ]

    def __str__(self):
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class OfficialDocument(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being issued")
        ISSUED = "issued", pgettext_lazy("state of a document", "Issued")

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="official_documents",
        verbose_name=_("proposal"),
    )
    # No database constraint on the ledger (as notifications): a ledger row deleted by hand is for
    # verification to find, not a reason for the database to refuse everything after it.
    decision_entry = models.ForeignKey(
        "ledger.LedgerEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("decision (ledger entry)"),
    )
    kind = models.CharField(_("kind"), max_length=48)
    doc_type = models.CharField(_("type"), max_length=4, choices=DocType.choices)
    party_format = models.BooleanField(_("Party format"), default=False)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit")
    )
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("symbol"), max_length=64)
    issued_on = models.DateField(_("date"))
    content = models.JSONField(_("content"), default=dict)
    concerns = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concerns"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signer"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    docx = models.FileField(_("DOCX"), upload_to="documents/%Y/", blank=True)
    docx_sha256 = models.CharField(_("SHA-256 of the DOCX"), max_length=64, blank=True)
    issue_entry = models.ForeignKey(
        "ledger.LedgerEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issue (ledger entry)"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        ordering = ["proposal_id", "issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="unique_document_number"
            ),
            models.UniqueConstraint(
                fields=["decision_entry", "kind"],
                condition=Q(concerns__isnull=True),
                name="unique_document_per_decision",
            ),
            models.UniqueConstraint(
                fields=["decision_entry", "kind", "concerns"],
                condition=Q(concerns__isnull=False),
                name="unique_document_per_decision_person",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return self.reference

    @property
    def number_text(self) -> str:
        """Decree 30, Art. 15: Arabic numerals from 01."""
        return f"{self.number:02d}"

    @property
    def reference(self) -> str:
        """ "01/QĐ-SNV" (Decree 30) or "01-QĐ/TU" (the Party's format)."""
        if self.party_format:
            return f"{self.number_text}-{self.doc_type}/{self.symbol}"
        return f"{self.number_text}/{self.doc_type}-{self.symbol}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def filename(self, extension: str) -> str:
        """ASCII, e.g. QD-01-SNV-2026.pdf."""
        from django.utils.text import slugify

        doc_type = {"QĐ": "QD"}.get(self.doc_type, self.doc_type)
        symbol = slugify(self.symbol.replace("/", "-")).upper() or "VB"
        return f"{doc_type}-{self.number_text}-{symbol}-{self.year}.{extension}"
