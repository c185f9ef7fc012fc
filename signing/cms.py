"""Detached CMS signatures over bytes (ledger checkpoints), with the same key as the PDFs, and an
RFC 3161 timestamp token where a timestamp authority is configured.

Anyone can check one outside KL14: `openssl cms -verify -binary -inform DER -in X.p7s
-content X.json -CAfile ca.pem -purpose any`."""

from dataclasses import dataclass
from datetime import UTC, datetime

from . import keys
from .loop import run


def sign_data(data: bytes) -> bytes:
    """A detached CMS SignedData (DER) over `data` with the signing time, timestamped when
    KL14_TSA_URL is set."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    signed = run(
        keys.signer().async_sign_general_data,
        data,
        "sha256",
        detached=True,
        timestamper=keys.timestamper(),
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
    )
    return signed.dump()


@dataclass
class DataCheck:
    intact: bool
    trusted: bool
    signer: str = ""
    signed_at: datetime | None = None
    timestamped: bool = False
    error: str = ""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


def verify_data(data: bytes, signature: bytes) -> DataCheck:
    from asn1crypto import cms
    from pyhanko.sign.validation import async_validate_detached_cms

    try:
        content = cms.ContentInfo.load(bytes(signature))
        signed_data = content["content"]
        status = run(
            async_validate_detached_cms,
            data,
            signed_data,
            signer_validation_context=keys.validation_context(),
        )
    except Exception as error:
        return DataCheck(False, False, error=str(error))
    stamp = getattr(status, "timestamp_validity", None)
    return DataCheck(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly,
        signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
        timestamped=stamp is not None,
    )
