"""What the documents app declares to the cross-check registry (ledger/records.py): every issued
official document is its `document_issue` entry — its number and symbol, type, date, issuing unit,
the decision it was issued for and the person it concerns — and the files stored for it still hash
to the SHA-256 that entry recorded, which KL14's registry of issued PDFs also holds."""

from django.utils.translation import pgettext_lazy

from ledger.records import keyed_mismatch, register, rows_of, stored_sha256
from signing.models import IssuedDocument

from .models import OfficialDocument
from .selectors import ISSUE_EVENT

# What the check compares, read through ledger.records.rows_of (one proposal, or a chunk at once).
ISSUED = (
    OfficialDocument.objects.filter(status=OfficialDocument.Status.ISSUED)
    .select_related("unit", "concerns")
    .order_by("pk")
)
REGISTRY = IssuedDocument.objects.only("proposal_id", "sha256").order_by("pk")


def official_documents_match(proposal, entries):
    """Each issued document (by kind, decision and person concerned) is its `document_issue`
    entry; its PDF and DOCX, as stored, hash to what the entry recorded."""
    seq_of = {entry.pk: entry.seq for entry in entries}
    recorded = {}
    for entry in entries:
        if entry.event == ISSUE_EVENT:
            p = entry.payload
            pdf, docx = p.get("pdf_sha256"), p.get("docx_sha256")
            recorded[(p.get("kind"), p.get("decision_seq"), p.get("concerns"))] = (
                entry,
                (
                    entry.pk,
                    p.get("reference"),
                    p.get("doc_type"),
                    p.get("issued_on"),
                    p.get("unit"),
                    pdf,  # the row's hash,
                    pdf,  # the stored file's,
                    pdf,  # the registry's
                    docx,
                    docx,
                ),
            )
    registry = None
    rows = {}
    for row in rows_of(proposal, ISSUED):
        if registry is None:
            registry = {issued.sha256 for issued in rows_of(proposal, REGISTRY)}
        concerns = row.concerns.get_username() if row.concerns_id else None
        rows[(row.kind, seq_of.get(row.decision_entry_id), concerns)] = (
            row.issue_entry_id,
            row.reference,
            row.doc_type,
            row.issued_on.isoformat(),
            row.unit.code,
            row.pdf_sha256,
            stored_sha256(row.pdf),
            row.pdf_sha256 if row.pdf_sha256 in registry else None,
            row.docx_sha256 or None,
            stored_sha256(row.docx),
        )
    return keyed_mismatch(recorded, rows, entries)


register(
    "official_documents",
    official_documents_match,
    label=pgettext_lazy("record kind", "Official document"),
)
