"""Issuing official PDFs: every PDF KL14 hands out as proof goes through `document_issue`, which
signs it (PAdES, signing.pdf.sign_pdf) and records its SHA-256 with the ledger's chain head at
issue (`IssuedDocument`), so that verification can tell a file KL14 issued from any other.

Other apps call:
- `document_issue(pdf=..., kind=..., reason=..., proposal=..., actor=...)` -> (signed bytes, record)
  for a PDF rendered but not yet signed;
- `document_register(pdf=..., kind=..., ...)` for a PDF already signed with `sign_pdf`;
- `register_kind(name, label)` once, at import of their module, for a kind of their own;
- `document_check(bytes)` -> DocumentCheck: is this file one KL14 issued, untouched?
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import keys
from . import pdf as pdf_checks
from .models import IssuedDocument
from .pdf import PdfCheck, sign_pdf

DOSSIER, PERIOD_REPORT, OFFICIAL_DOCUMENT = "dossier", "period_report", "official_document"

KINDS: dict[str, object] = {}


def register_kind(name: str, label) -> None:
    KINDS[name] = label


register_kind(DOSSIER, _("Protection dossier"))
register_kind(PERIOD_REPORT, _("Period report"))
register_kind(OFFICIAL_DOCUMENT, _("Official document"))


def kind_label(name: str) -> str:
    return str(KINDS.get(name, name))


def _head(proposal, chain_seq, chain_head):
    if proposal is None or chain_head:
        return chain_seq, chain_head or ""
    from ledger.selectors import ledger_head

    return ledger_head(proposal)


def signed_reason(reason: str, chain_seq, chain_head: str) -> str:
    """The signature's reason (inside the signed bytes): what the document is and, for a
    proposal's document, the ledger's chain head it was issued at."""
    if not chain_head:
        return reason
    return f"{reason} · sổ cái #{chain_seq} {chain_head}"


def document_issue(
    *,
    pdf: bytes,
    kind: str,
    reason: str,
    proposal=None,
    actor=None,
    reference: str = "",
    title: str = "",
    chain_seq: int | None = None,
    chain_head: str = "",
    issued_at=None,
    location: str = "",
) -> tuple[bytes, IssuedDocument]:
    """Signs `pdf` and records it as issued. For a proposal's document the chain head defaults to
    the ledger's head now; pass the one the PDF prints when it was rendered from an earlier read.
    `issued_at` should be the time printed in the PDF (default: now)."""
    chain_seq, chain_head = _head(proposal, chain_seq, chain_head)
    signed = sign_pdf(pdf, reason=signed_reason(reason, chain_seq, chain_head), location=location)
    document = document_register(
        pdf=signed,
        kind=kind,
        proposal=proposal,
        actor=actor,
        reference=reference,
        title=title,
        chain_seq=chain_seq,
        chain_head=chain_head,
        issued_at=issued_at,
    )
    return signed, document


document_issue.alters_data = True


def document_register(
    *,
    pdf: bytes,
    kind: str,
    proposal=None,
    actor=None,
    reference: str = "",
    title: str = "",
    chain_seq: int | None = None,
    chain_head: str = "",
    issued_at=None,
) -> IssuedDocument:
    """Records a PDF already signed with signing.pdf.sign_pdf as issued by KL14."""
    from ledger.hashing import sha256

    chain_seq, chain_head = _head(proposal, chain_seq, chain_head)
    return IssuedDocument.objects.create(
        sha256=sha256(pdf),
        kind=kind,
        reference=reference[:64],
        title=title[:300],
        proposal=proposal,
        chain_seq=chain_seq,
        chain_head=chain_head,
        signer=_signer_name(),
        size=len(pdf),
        issued_at=issued_at or timezone.now(),
        issued_by=actor if actor is not None and actor.is_authenticated else None,
    )


document_register.alters_data = True


def _signer_name() -> str:
    try:
        return keys.signer().signing_cert.subject.human_friendly[:300]
    except Exception:  # a PKCS#11 token may not expose it without a session
        return ""


# --- checking an uploaded file ----------------------------------------------------------------

ISSUED, SIGNATURE_BROKEN, UNKNOWN_SIGNER, NOT_ISSUED = (
    "issued",
    "signature_broken",
    "unknown_signer",
    "not_issued",
)


@dataclass
class DocumentCheck:
    """What a file is, before any ledger comparison. `status`:
    - issued: our signature, intact, trusted, over the whole file, and these very bytes are on
      record as issued (`document`);
    - signature_broken: a signature whose bytes were changed, or bytes added after signing
      (`appended`);
    - unknown_signer: an intact signature by a certificate that does not chain to our roots;
    - not_issued: no signature at all (`unsigned`), or a valid signature over bytes KL14 never
      recorded as issued."""

    status: str
    sha256: str
    signature: PdfCheck
    document: IssuedDocument | None = None

    @property
    def unsigned(self) -> bool:
        return self.signature.status == pdf_checks.UNSIGNED

    @property
    def appended(self) -> bool:
        return self.signature.status == pdf_checks.MODIFIED


def document_check(data: bytes) -> DocumentCheck:
    """Checks an uploaded PDF: its signature with pyHanko against our trusted roots, then its
    SHA-256 against the documents KL14 issued."""
    from ledger.hashing import sha256

    digest = sha256(data)
    signature = pdf_checks.check_pdf(data)
    status = {
        pdf_checks.BROKEN: SIGNATURE_BROKEN,
        pdf_checks.MODIFIED: SIGNATURE_BROKEN,
        pdf_checks.UNTRUSTED: UNKNOWN_SIGNER,
        pdf_checks.UNSIGNED: NOT_ISSUED,
    }.get(signature.status)
    if status is not None:
        return DocumentCheck(status, digest, signature)
    document = (
        IssuedDocument.objects.filter(sha256=digest).select_related("proposal", "issued_by").first()
    )
    if document is None:
        return DocumentCheck(NOT_ISSUED, digest, signature)
    return DocumentCheck(ISSUED, digest, signature, document)
