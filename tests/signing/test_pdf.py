"""PAdES signatures: sign_pdf, and check_pdf on genuine, altered, appended and foreign files.
pyHanko's own validator (library and CLI) is the independent judge of what sign_pdf produces."""

import asyncio
import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import keys
from signing.loop import off_loop
from signing.pdf import BROKEN, MODIFIED, UNSIGNED, UNTRUSTED, VALID, check_pdf, sign_pdf


def demo_ca() -> Path:
    return Path(settings.KL14_SIGNING_DIR) / keys.DEMO_CA_CERT


@pytest.fixture(scope="module")
def signed(plain_pdf):
    return sign_pdf(plain_pdf, reason="Hồ sơ bảo vệ DX-2026-000001", location="Gia Lai")


def test_pyhanko_validates_the_signature_as_intact_trusted_and_whole(signed):
    reader = PdfFileReader(io.BytesIO(signed))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(demo_ca())])
    status = off_loop(validate_pdf_signature, embedded, context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert embedded.sig_object["/Reason"] == "Hồ sơ bảo vệ DX-2026-000001"
    assert "KL14" in status.signing_cert.subject.human_friendly


def test_the_pyhanko_command_line_says_valid(signed, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    result = subprocess.run(  # noqa: S603
        [
            str(Path(sys.executable).parent / "pyhanko"),
            "sign",
            "validate",
            "--trust",
            str(demo_ca()),
            "--trust-replace",
            "--no-revocation-check",
            "--executive-summary",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout and "INVALID" not in result.stdout


def test_check_pdf_says_valid_with_the_signer_and_time(signed):
    check = check_pdf(signed)
    assert check.status == VALID
    assert "KL14" in check.signer
    assert check.signed_at is not None


def test_one_flipped_byte_in_the_signed_content_breaks_it(signed):
    at = signed.index(b"stream") + 20  # inside the first content stream
    altered = bytearray(signed)
    altered[at] ^= 0x01
    assert check_pdf(bytes(altered)).status == BROKEN


def test_bytes_appended_after_the_signature_are_reported(signed):
    assert check_pdf(signed + b"\n% junk appended\n").status == MODIFIED


def test_an_incremental_update_after_signing_is_reported(signed):
    from pyhanko.pdf_utils.generic import TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = TextStringObject("en")
    writer.update_root()
    buffer = io.BytesIO()
    writer.write(buffer)
    assert check_pdf(buffer.getvalue()).status == MODIFIED


def test_an_unsigned_or_unreadable_file_is_unsigned(plain_pdf):
    assert check_pdf(plain_pdf).status == UNSIGNED
    assert check_pdf(b"not a pdf").status == UNSIGNED
    assert check_pdf(b"%PDF-1.7\n%%EOF").status == UNSIGNED


def test_a_signature_by_a_certificate_we_do_not_trust(plain_pdf, other_ca, settings):
    ours = settings.KL14_SIGNING_DIR
    settings.KL14_SIGNING_DIR = str(other_ca)
    keys.clear_caches()
    try:
        foreign = sign_pdf(plain_pdf, reason="forged")
    finally:
        settings.KL14_SIGNING_DIR = ours
        keys.clear_caches()
    # restored: our demo CA is trusted again, the foreign one is not
    assert check_pdf(foreign).status == UNTRUSTED


def test_without_a_certificate_signing_refuses_clearly(plain_pdf, settings, tmp_path):
    settings.KL14_SIGNING_DIR = str(tmp_path / "empty")
    keys.clear_caches()
    try:
        with pytest.raises(ImproperlyConfigured, match="signing_demo"):
            sign_pdf(plain_pdf, reason="x")
    finally:
        keys.clear_caches()


def test_a_pkcs12_file_from_the_environment_is_used(plain_pdf, other_ca, settings):
    settings.KL14_SIGNING_PKCS12 = str(other_ca / keys.DEMO_SIGNER)
    settings.KL14_SIGNING_PKCS12_PASSWORD = keys.DEMO_PASSWORD.decode()
    settings.KL14_SIGNING_TRUST_ROOTS = [str(other_ca / keys.DEMO_CA_CERT)]
    keys.clear_caches()
    try:
        check = check_pdf(sign_pdf(plain_pdf, reason="x"))
        assert check.status == VALID
        assert "Someone else" in check.signer
    finally:
        keys.clear_caches()


def test_a_timestamp_authority_adds_an_rfc3161_timestamp(plain_pdf, monkeypatch, other_ca):
    """No network in tests: pyHanko's in-process TSA stands in for KL14_TSA_URL's server."""
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.sign.timestamps import DummyTimeStamper

    signer = keys.signer()
    tsa = DummyTimeStamper(
        tsa_cert=signer.signing_cert,
        tsa_key=load_private_key_from_pemder_data(_pem_key(signer.signing_key), passphrase=None),
    )
    monkeypatch.setattr(keys, "timestamper", lambda: tsa)
    check = check_pdf(sign_pdf(plain_pdf, reason="x"))
    assert check.status == VALID
    assert check.timestamped


def _pem_key(key_info) -> bytes:
    import base64

    body = base64.encodebytes(key_info.dump()).decode()
    return f"-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n".encode()


def test_signing_demo_creates_once(tmp_path, settings):
    from django.core.management import call_command

    settings.KL14_SIGNING_DIR = str(tmp_path / "demo")
    out = io.StringIO()
    try:
        call_command("signing_demo", stdout=out)
        call_command("signing_demo", stdout=out)
    finally:
        keys.clear_caches()
    assert "created" in out.getvalue() and "already" in out.getvalue()
    assert (tmp_path / "demo" / keys.DEMO_SIGNER).stat().st_mode & 0o077 == 0


def test_signing_and_checking_work_inside_a_running_event_loop(plain_pdf):
    """pyHanko's synchronous API calls asyncio.run; a thread that already runs a loop (an ASGI
    server, Playwright's synchronous API) must still sign, and a genuine file must never be
    called broken there."""
    assert (
        in_a_fresh_running_loop(lambda: check_pdf(sign_pdf(plain_pdf, reason="R"))).status == VALID
    )


def in_a_fresh_running_loop(call):
    """`call()` from inside a running event loop, in a thread of its own (this test's thread may
    already run Playwright's loop)."""
    results = []

    async def inside():
        results.append(call())

    thread = threading.Thread(target=asyncio.run, args=(inside(),))
    thread.start()
    thread.join()
    return results[0]
