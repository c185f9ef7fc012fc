"""Verifying an uploaded dossier checks the file itself — its signature, its bytes against what KL14
issued, then the ledger against the chain head it was issued at — on the page and the API. A code
typed by hand says that only the record was checked."""

import io

import pytest
from django.test import Client

from ledger.selectors import ledger_head
from reviews import services
from signing import keys
from signing.pdf import sign_pdf
from signing.services import document_register
from tests.exports.flows import dossier_of, exported
from tests.factories.proposals import fresh
from tests.factories.reviews import decided
from tests.ledger.tamper import tampering

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def foreign_ca(tmp_path_factory):
    directory = tmp_path_factory.mktemp("foreign-ca")
    keys.create_demo(directory, organisation="KL14 — giả mạo")
    return directory


@pytest.fixture
def protected(org, proposal):
    return decided(proposal, head=org.head, party=org.party)


@pytest.fixture
def dossier(org, protected):
    """(code, the PDF bytes as downloaded)."""
    client = Client()
    client.force_login(org.cadre)
    response = dossier_of(client, protected)
    assert response.status_code == 200
    return response["X-Verification-Code"], b"".join(response.streaming_content)


@pytest.fixture
def checker(org):
    client = Client()
    client.force_login(org.commune_cadre)  # anyone signed in
    return client


def upload(data: bytes, name="ho-so.pdf"):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def page(client, data: bytes) -> tuple[int, str]:
    response = client.post("/dossiers/verify/", {"file": upload(data)})
    return response.status_code, response.content.decode()


def api(client, data: bytes):
    response = client.post("/api/v1/dossiers/verify/", {"file": upload(data)})
    assert response.status_code == 200, response.content
    return response.json()


def hand_made_with(code: str) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=f"<h1>HỒ SƠ BẢO VỆ</h1><p>Mã xác minh: {code}</p><p>Kết luận: Miễn trách nhiệm</p>"
    ).write_pdf()


def flipped(pdf: bytes) -> bytes:
    at = pdf.index(b"stream") + 20
    altered = bytearray(pdf)
    altered[at] ^= 0x01
    return bytes(altered)


def test_the_real_file_is_genuine_with_the_facts_beside_it(org, protected, dossier, checker):
    code, pdf = dossier
    status, body = page(checker, pdf)
    assert status == 200
    assert 'data-status="valid"' in body and 'data-checked="document"' in body
    assert "Xác thực" in body
    assert code in body
    assert "Nguyễn Thị Hương" in body  # an author
    assert "Quyết định về trách nhiệm" in body  # a decision
    assert "Trần Văn Hùng" in body  # who took it
    answer = api(checker, pdf)
    assert (answer["status"], answer["checked"], answer["genuine"]) == ("valid", "document", True)
    assert answer["file"]["signature"] == "valid"
    assert (answer["entries_at_issue"], answer["chain_head_at_issue"]) == ledger_head(protected)
    assert "Nguyễn Thị Hương" in answer["facts"]["authors"]
    assert answer["proposal"]["code"] == protected.code


def test_the_real_file_after_a_later_legitimate_entry_is_extended(org, protected, dossier, checker):
    _code, pdf = dossier
    services.lesson_publish(proposal=fresh(protected), actor=org.head, lessons="Bài học")
    _status, body = page(checker, pdf)
    assert 'data-status="extended"' in body
    answer = api(checker, pdf)
    assert answer["status"] == "extended" and answer["genuine"]
    assert answer["entries_now"] == answer["entries_at_issue"] + 1


def test_the_real_file_after_the_ledger_was_altered_is_broken(org, protected, dossier, checker):
    _code, pdf = dossier
    with tampering() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET payload = %s WHERE proposal_id = %s AND seq = 2",
            ['{"forged": true}', protected.pk],
        )
    _status, body = page(checker, pdf)
    assert 'data-status="broken"' in body
    answer = api(checker, pdf)
    assert (answer["status"], answer["genuine"], answer["first_bad_seq"]) == ("broken", False, 2)


def test_one_flipped_byte_breaks_the_signature(dossier, checker):
    _code, pdf = dossier
    _status, body = page(checker, flipped(pdf))
    assert 'data-status="signature_broken"' in body
    assert 'data-status="valid"' not in body
    answer = api(checker, flipped(pdf))
    assert answer["status"] == "signature_broken" and not answer["genuine"]


def test_junk_appended_is_refused(dossier, checker):
    _code, pdf = dossier
    answer = api(checker, pdf + b"\n% appended\n")
    assert answer["status"] == "signature_broken"
    assert answer["file"]["signature"] == "modified"
    _status, body = page(checker, pdf + b"\n% appended\n")
    assert 'data-status="signature_broken"' in body


def test_a_hand_made_pdf_with_a_real_code_is_not_issued_and_shows_the_real_record(
    protected, dossier, checker
):
    code, _pdf = dossier
    forged = hand_made_with(code)
    _status, body = page(checker, forged)
    assert 'data-status="not_issued"' in body
    assert "Vẫn hợp lệ" not in body
    assert protected.title in body  # the genuine facts under that code, to compare
    answer = api(checker, forged)
    assert (answer["status"], answer["genuine"], answer["file"]["signature"]) == (
        "not_issued",
        False,
        "unsigned",
    )
    assert answer["proposal"]["code"] == protected.code


def test_signed_by_another_ca_is_an_unknown_signer(dossier, checker, foreign_ca, settings):
    code, _pdf = dossier
    ours = settings.KL14_SIGNING_DIR
    settings.KL14_SIGNING_DIR = str(foreign_ca)
    keys.clear_caches()
    try:
        forged = sign_pdf(hand_made_with(code), reason="Hồ sơ bảo vệ")
    finally:
        settings.KL14_SIGNING_DIR = ours
        keys.clear_caches()
    answer = api(checker, forged)
    assert answer["status"] == "unknown_signer"
    assert "giả mạo" in answer["file"]["signer"]
    assert 'data-status="unknown_signer"' in page(checker, forged)[1]


def test_signed_with_our_key_but_never_issued_is_not_issued(dossier, checker):
    code, _pdf = dossier
    stray = sign_pdf(hand_made_with(code), reason="Hồ sơ bảo vệ")
    answer = api(checker, stray)
    assert (answer["status"], answer["file"]["signature"]) == ("not_issued", "valid")
    document_register(pdf=stray, kind="dossier")
    assert api(checker, stray)["status"] == "valid"


def test_a_typed_code_checks_only_the_record(dossier, checker):
    code, _pdf = dossier
    body = checker.post("/dossiers/verify/", {"code": code}).content.decode()
    assert 'data-status="valid"' in body and 'data-checked="record"' in body
    assert "Chỉ bản ghi được kiểm tra" in body
    answer = checker.post(
        "/api/v1/dossiers/verify/", {"code": code}, content_type="application/json"
    ).json()
    assert (answer["checked"], answer["genuine"]) == ("record", False)


def test_a_signed_period_report_is_genuine(org, checker):
    client = Client()
    client.force_login(org.orgboard)
    response = exported(client, "period_report", period="year", year=2026, format="pdf")
    pdf = b"".join(response.streaming_content)
    answer = api(checker, pdf)
    assert (answer["status"], answer["genuine"], answer["file"]["kind"]) == (
        "valid",
        True,
        "period_report",
    )


def test_a_file_that_is_not_a_pdf_is_refused_clearly(checker):
    status, body = page(checker, b"GIF89a not a pdf")
    assert status == 400
    assert "không phải là PDF" in body
    response = checker.post("/api/v1/dossiers/verify/", {"file": upload(b"hello")})
    assert response.status_code == 400
