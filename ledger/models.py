from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kl14.triggers import append_only


class AppendOnlyError(Exception):
    """Ledger entries are never updated or deleted through the application."""


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("ledger entries cannot be updated")

    def delete(self):
        raise AppendOnlyError("ledger entries cannot be deleted")


class LedgerEntry(models.Model):
    """One event in a proposal's life, chained to the previous one by SHA-256 (lifecycle.md)."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("proposal"),
    )
    seq = models.PositiveIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    event = models.CharField(_("event"), max_length=64)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    dossier_hash = models.CharField(_("dossier hash"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["proposal_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "seq"], name="unique_ledger_seq"),
        ]
        triggers = [append_only("ledger_entry_append_only")]

    def __str__(self):
        return f"{self.proposal_id}#{self.seq} {self.event}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("ledger entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries cannot be deleted")


class Checkpoint(models.Model):
    """A signed statement of every proposal's chain head at one moment (see ledger/checkpoints.py).
    `content` is exactly the bytes that were signed; `signature` a detached CMS signature over them
    with the installation's key, which never lives in the database. Each checkpoint names the hash
    of the one before it, and is also exported to files and e-mailed, outside the database."""

    created_at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=16)
    root = models.CharField(_("Merkle root"), max_length=64)
    proposals = models.PositiveIntegerField(_("chains"))
    entries = models.PositiveIntegerField(_("entries"))
    content = models.TextField(_("signed content"))
    signature = models.BinaryField(_("signature (CMS)"))
    signer = models.CharField(_("signed by"), max_length=300, blank=True)
    timestamped = models.BooleanField(_("timestamped (RFC 3161)"), default=False)

    class Meta:
        verbose_name = _("ledger checkpoint")
        verbose_name_plural = _("ledger checkpoints")
        ordering = ["-created_at", "-pk"]
        triggers = [append_only("ledger_checkpoint_append_only")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.root[:12]}"
