"""Every protection dossier and period report PDF leaves KL14 signed (PAdES) and recorded as issued
(signing.IssuedDocument: its SHA-256, and the ledger's chain head it was issued at). pyHanko's own
validator is the independent judge."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ledger.hashing import sha256
from ledger.models import LedgerEntry
from ledger.selectors import ledger_head
from signing import keys
from signing.loop import off_loop
from signing.models import IssuedDocument
from signing.pdf import VALID, check_pdf
from signing.services import DOSSIER, PERIOD_REPORT, document_issue, document_register
from tests.exports.flows import api_file, exported
from tests.factories.proposals import fresh
from tests.factories.reviews import decided

pytestmark = pytest.mark.django_db


def demo_ca() -> Path:
    return Path(settings.KL14_SIGNING_DIR) / keys.DEMO_CA_CERT


def pyhanko_status(pdf: bytes):
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(demo_ca())])
    return embedded, off_loop(validate_pdf_signature, embedded, context)


@pytest.fixture
def protected(org, proposal):
    return decided(proposal, head=org.head, party=org.party)


class Downloaded:
    """A file answer with its bytes read (export files are streamed)."""

    def __init__(self, response):
        self.response = response
        self.content = b"".join(response.streaming_content)

    def __getitem__(self, header):
        return self.response[header]


def download(user, url) -> Downloaded:
    """The dossier from the review page's button (an export job built by the worker), or from an
    API address (202 with the job, then the file)."""
    client = Client()
    client.force_login(user)
    if url.startswith("/api/"):
        response = api_file(client, url)
    else:
        pk = int(url.split("/")[2])
        response = exported(client, "dossier", proposal=pk)
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Type"] == "application/pdf"
    return Downloaded(response)


def test_the_dossier_page_gives_a_signed_pdf_recorded_with_its_chain_head(org, protected):
    response = download(org.cadre, f"/reviews/{protected.pk}/dossier.pdf")
    pdf = response.content
    embedded, status = pyhanko_status(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    seq, head = ledger_head(protected)
    # The chain head and the signing time are inside the signed bytes.
    assert f"#{seq} {head}" in embedded.sig_object["/Reason"]
    assert embedded.sig_object["/M"]
    assert check_pdf(pdf).status == VALID

    document = IssuedDocument.objects.get(sha256=sha256(pdf))
    assert document.kind == DOSSIER
    assert document.proposal == protected
    assert (document.chain_seq, document.chain_head) == (seq, head)
    assert document.reference == response["X-Verification-Code"]
    assert document.issued_by == org.cadre
    assert document.size == len(pdf)
    assert "KL14" in document.signer


def test_the_api_dossier_is_signed_and_each_download_is_recorded(org, protected):
    first = download(org.cadre, f"/api/v1/proposals/{protected.pk}/dossier/").content
    second = download(org.head, f"/api/v1/proposals/{protected.pk}/dossier/").content
    for pdf in (first, second):
        _embedded, status = pyhanko_status(pdf)
        assert status.intact and status.trusted
    assert IssuedDocument.objects.filter(proposal=protected, kind=DOSSIER).count() == 2
    assert not LedgerEntry.objects.filter(proposal=protected, event__contains="dossier")


def test_the_pyhanko_command_line_says_the_dossier_is_valid(org, protected, tmp_path):
    path = tmp_path / "ho-so.pdf"
    path.write_bytes(download(org.cadre, f"/reviews/{protected.pk}/dossier.pdf").content)
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


@pytest.mark.parametrize("where", ["dashboard", "api"])
def test_the_period_report_pdf_is_signed_and_recorded(org, where):
    client = Client()
    client.force_login(org.orgboard)
    if where == "api":
        url = "/api/v1/reports/period/?output=pdf&period=quarter&year=2026&quarter=1"
        response = api_file(client, url)
    else:
        params = {"period": "quarter", "year": 2026, "quarter": 1, "format": "pdf"}
        response = exported(client, "period_report", **params)
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    _embedded, status = pyhanko_status(pdf)
    assert status.intact and status.trusted
    document = IssuedDocument.objects.get(sha256=sha256(pdf))
    assert document.kind == PERIOD_REPORT
    assert document.proposal is None
    assert document.chain_head == ""
    assert document.issued_by == org.orgboard


def test_another_app_issues_and_registers_its_own_pdfs(org, protected):
    from weasyprint import HTML

    plain = HTML(string="<p>Quyết định số 12/QĐ-UBND</p>").write_pdf()
    signed, document = document_issue(
        pdf=plain,
        kind="official_document",
        reason="Quyết định 12/QĐ-UBND",
        proposal=fresh(protected),
        actor=org.head,
        reference="12/QĐ-UBND",
    )
    assert check_pdf(signed).status == VALID
    assert (document.chain_seq, document.chain_head) == ledger_head(protected)
    assert document.sha256 == sha256(signed)
    again = document_register(pdf=signed + b"\n", kind="official_document", actor=org.head)
    assert again.proposal is None and again.chain_seq is None


def test_decisions_read_in_words_and_raw_data_only_in_the_technical_appendix(org, protected):
    from tests.reviews.test_dossier import issue, text_of

    _issued, _verification, pdf = issue(protected, org.cadre)
    text = text_of(pdf)
    body, appendix = text.split("Phụ lục kỹ thuật: dữ liệu dùng để tính mã băm")
    # The decisions table up to the collective's votes (the evaluation's own details now name its
    # ballot on the outcome, "Biểu quyết … về kết quả", inside the table).
    decisions = body.split("3. Các quyết định")[1].split("Biểu quyết của tập thể lãnh đạo\n")[0]
    assert "Quyết định: Giảm nhẹ trách nhiệm" in decisions
    assert '"decision"' not in body and '"outcome"' not in body
    assert '"decision"' in appendix.replace("\n", "")
