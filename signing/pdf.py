"""PAdES signatures on the PDFs the application issues, and their check on verification.

`sign_pdf` is the one public way to sign a PDF: every official PDF of KL14 (protection dossiers,
period reports, the official documents of decisions) goes through it. `check_pdf` reads back the
signature of an uploaded file with pyHanko's validator against our trusted roots.
"""

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from . import keys
from .loop import off_loop

log = logging.getLogger(__name__)

FIELD_NAME = "KL14Signature"


def sign_pdf(
    pdf_bytes: bytes,
    *,
    reason: str,
    location: str = "",
    contact: str = "",
    field_name: str = FIELD_NAME,
) -> bytes:
    """The PDF with a PAdES baseline signature (B-B, or B-T when KL14_TSA_URL is set) of the
    installation's certificate over every byte, as an incremental update: any later change of a
    byte breaks it. Raises ImproperlyConfigured when no certificate is configured."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason or None,
        location=location or None,
        contact_info=contact or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        use_pades_lta=False,
    )
    timestamper = keys.timestamper()
    out = off_loop(
        signers.sign_pdf,
        writer,
        meta,
        signer=keys.signer(),
        timestamper=timestamper,
        existing_fields_only=False,
        # Room for the CMS blob (certificate chain, and the timestamp token when there is one),
        # so pyHanko need not sign twice to measure it.
        bytes_reserved=32768 if timestamper else 16384,
    )
    return out.getvalue()


# --- checking an uploaded PDF -----------------------------------------------------------------

UNSIGNED, BROKEN, UNTRUSTED, MODIFIED, VALID = (
    "unsigned",
    "broken",
    "untrusted",
    "modified",
    "valid",
)


@dataclass
class PdfCheck:
    """What the signatures of a PDF say. `status`:
    - unsigned: no signature at all (or not a readable PDF);
    - broken: a signature whose bytes no longer match what was signed;
    - untrusted: intact, but the signer's certificate does not chain to our trusted roots;
    - modified: intact and trusted, but bytes were added after the signed revision;
    - valid: intact, trusted, and the signature covers the entire file."""

    status: str
    signer: str = ""
    signed_at: datetime | None = None
    timestamped: bool = False
    reason: str = ""
    details: list = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == VALID


def check_pdf(pdf_bytes: bytes) -> PdfCheck:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, OSError) as error:
        return PdfCheck(UNSIGNED, details=[f"unreadable: {error}"])
    if not signatures:
        return PdfCheck(UNSIGNED)
    # The last signature is ours (it covers the most); every one must be intact.
    worst = None
    for embedded in signatures:
        try:
            status = off_loop(validate_pdf_signature, embedded, keys.validation_context())
        except Exception as error:
            log.info("PDF signature could not be validated: %s", error)
            return PdfCheck(BROKEN, details=[str(error)])
        worst = status
        if not (status.intact and status.valid):
            return _result(BROKEN, status)
    status = worst
    if not status.trusted:
        return _result(UNTRUSTED, status)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return _result(MODIFIED, status)
    return _result(VALID, status)


def _result(code, status) -> PdfCheck:
    cert = getattr(status, "signing_cert", None)
    signer = cert.subject.human_friendly if cert is not None else ""
    when = status.signer_reported_dt
    stamp = getattr(status, "timestamp_validity", None)
    if stamp is not None:
        when = stamp.timestamp
    return PdfCheck(
        code,
        signer=signer,
        signed_at=when,
        timestamped=stamp is not None,
        details=[status.summary()] if hasattr(status, "summary") else [],
    )
