from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kl14.triggers import append_only


class IssuedDocument(models.Model):
    """One signed PDF as KL14 issued it: its SHA-256, and for a proposal's document the ledger's
    chain head it was issued at. Verification of an uploaded file looks its bytes up here
    (signing.services.document_check); a file whose hash is not here was not issued by KL14."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32)
    reference = models.CharField(
        pgettext_lazy("number of an issued document", "reference"), max_length=64, blank=True
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
        verbose_name=_("proposal"),
    )
    chain_seq = models.PositiveIntegerField(_("ledger entries at issue"), null=True, blank=True)
    chain_head = models.CharField(_("chain head at issue"), max_length=64, blank=True)
    signer = models.CharField(_("signed by"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    issued_at = models.DateTimeField(_("signed at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued to"),
    )

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["proposal", "kind"], name="issued_doc_proposal_kind")]
        triggers = [append_only("issued_document_append_only")]

    def __str__(self):
        return f"{self.kind} {self.reference or self.sha256[:12]}"
