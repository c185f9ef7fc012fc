"""Official documents: numbered in the decision's transaction, issued once by a worker (signed
PDF, DOCX, ledger entry with their SHA-256), retried with back-off, never lost to a broker."""

import hashlib
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from documents import render, services
from documents.models import OfficialDocument, Register
from documents.wording import date_line
from ledger.models import LedgerEntry
from proposals.selectors import proposal_verify
from signing.pdf import VALID, check_pdf
from tests.factories.pilots import planned
from tests.factories.units import grant
from units.models import Role

from .flows import approve, pdf_text, reject

pytestmark = pytest.mark.django_db


def only_document(proposal) -> OfficialDocument:
    return OfficialDocument.objects.get(proposal=proposal)


def test_approval_reserves_a_number_and_waits_for_the_commit(org):
    proposal = approve(org)
    document = only_document(proposal)
    entry = LedgerEntry.objects.get(proposal=proposal, event="approve")
    assert document.status == OfficialDocument.Status.PENDING
    assert (document.kind, document.doc_type, document.unit, document.year) == (
        "approval",
        "QĐ",
        org.agency,
        timezone.localdate().year,
    )
    assert document.decision_entry == entry
    assert document.signer == org.head
    assert document.reference == "01/QĐ-A"
    assert document.issued_on == timezone.localdate(entry.at)
    content = document.content
    assert content["doc_name"] == "QUYẾT ĐỊNH"
    assert content["subject"] == f"Về việc phê duyệt đề xuất đổi mới, sáng tạo “{proposal.title}”"
    assert content["authority"] == "GIÁM ĐỐC SỞ"
    assert content["header"] == {"parent": "TỈNH", "body": "SỞ"}
    assert content["signer"] == {"capacity": "", "title": "GIÁM ĐỐC", "name": "Trần Văn Giám"}
    assert "Lê Thị Sáng" in content["articles"][0]["text"]
    assert not document.pdf and not LedgerEntry.objects.filter(event="document_issue").exists()


def test_rejection_issues_a_notice_with_the_reasons(org):
    proposal = reject(org)
    document = only_document(proposal)
    assert (document.kind, document.doc_type, document.reference) == ("rejection", "TB", "01/TB-A")
    assert document.content["doc_name"] == "THÔNG BÁO"
    assert any("Chưa làm rõ nguồn lực" in p for p in document.content["paragraphs"])


def test_numbers_run_per_unit_and_year_without_gaps(org):
    first, second = approve(org), reject(org)
    other = reject(
        org,
        unit=org.commune,
        author=org.commune_cadre,
        head=org.commune_head,
        party=org.commune_party,
    )
    assert only_document(first).number == 1
    assert only_document(second).number == 2
    assert only_document(other).reference == "01/TB-C"
    year = timezone.localdate().year
    assert services.number_reserve(unit=org.agency, year=year + 1) == 1
    assert services.number_reserve(unit=org.agency, year=year) == 3
    # A decision that rolls back gives its number back.
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services.number_reserve(unit=org.agency, year=year) == 4
        raise RuntimeError
    assert Register.objects.get(unit=org.agency, year=year).last_number == 3


def test_one_document_per_decision_entry(org):
    proposal = approve(org)
    entry = LedgerEntry.objects.get(proposal=proposal, event="approve")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the database refuses
        services.documents_create_for_entry(entry=entry, proposal=proposal)
    assert OfficialDocument.objects.filter(proposal=proposal).count() == 1


def test_issue_signs_stores_and_records_the_hashes(org):
    proposal = approve(org)
    document = services.document_issue(pk=only_document(proposal).pk)
    assert document is not None and document.status == OfficialDocument.Status.ISSUED
    pdf = document.pdf.open("rb").read()
    assert check_pdf(pdf).status == VALID
    assert hashlib.sha256(pdf).hexdigest() == document.pdf_sha256
    entry = LedgerEntry.objects.get(proposal=proposal, event="document_issue")
    assert entry.actor is None
    assert document.issue_entry == entry
    assert entry.payload["reference"] == "01/QĐ-A"
    assert entry.payload["pdf_sha256"] == document.pdf_sha256
    assert entry.payload["decision_seq"] == document.decision_entry.seq
    assert entry.payload.get("docx_sha256", "") == document.docx_sha256
    assert proposal_verify(proposal).valid
    assert document.pdf.name.endswith(".pdf")


def test_the_pdf_reads_in_vietnamese_in_the_decree_30_format(org):
    proposal = approve(org)
    document = services.document_issue(pk=only_document(proposal).pk)
    text = pdf_text(document.pdf.open("rb").read())
    for line in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/QĐ-A",
        "QUYẾT ĐỊNH",
        "GIÁM ĐỐC SỞ",
        "Nơi nhận:",
        "Trần Văn Giám",
        "Nghị định số 73/2023/NĐ-CP",
    ):
        assert line in text


def test_the_docx_opens_and_carries_the_number(org):
    docx = pytest.importorskip("docx")
    proposal = approve(org)
    document = services.document_issue(pk=only_document(proposal).pk)
    data = document.docx.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == document.docx_sha256
    import io

    opened = docx.Document(io.BytesIO(data))
    text = "\n".join(
        [p.text for p in opened.paragraphs]
        + [p.text for t in opened.tables for c in t._cells for p in c.paragraphs]
    )
    assert "Số: 01/QĐ-A" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_issuing_twice_issues_once(org):
    proposal = approve(org)
    pk = only_document(proposal).pk
    assert services.document_issue(pk=pk) is not None
    assert services.document_issue(pk=pk) is None
    assert services.documents_issue_due() == 0
    assert LedgerEntry.objects.filter(proposal=proposal, event="document_issue").count() == 1


def test_a_claimed_document_is_left_to_its_worker(org):
    proposal = approve(org)
    pk = only_document(proposal).pk
    assert services.document_claim(pk) is not None
    assert services.document_issue(pk=pk) is None
    assert services.documents_issue_due() == 0
    # The lease runs out (the worker died): another worker takes it over.
    OfficialDocument.objects.filter(pk=pk).update(claimed_until=timezone.now() - timedelta(1))
    assert services.document_issue(pk=pk) is not None


def test_a_worker_whose_claim_was_taken_over_records_nothing(org):
    proposal = approve(org)
    document = only_document(proposal)
    stale = services.document_claim(document.pk)
    OfficialDocument.objects.filter(pk=document.pk).update(claim="someone-else")
    assert services._record(document, token=stale, pdf=b"%PDF", docx=None) is None
    assert not LedgerEntry.objects.filter(event="document_issue").exists()


def test_a_failure_backs_off_exponentially_then_succeeds(org, monkeypatch, settings):
    settings.KL14_DOCUMENT_RETRY_BASE = 60
    proposal = approve(org)
    pk = only_document(proposal).pk
    real = render.signed_pdf

    def broken(document):
        raise OSError("font cache unavailable")

    monkeypatch.setattr(render, "signed_pdf", broken)
    before = timezone.now()
    assert services.document_issue(pk=pk) is None
    document = OfficialDocument.objects.get(pk=pk)
    assert document.status == OfficialDocument.Status.PENDING
    assert document.attempts == 1
    assert "font cache unavailable" in document.last_error
    assert timedelta(seconds=59) < document.next_attempt_at - before < timedelta(seconds=70)
    # Not due yet: the periodic task leaves it.
    assert services.documents_issue_due() == 0
    OfficialDocument.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    assert services.document_issue(pk=pk) is None
    document.refresh_from_db()
    assert document.attempts == 2
    assert timedelta(seconds=119) < document.next_attempt_at - before < timedelta(seconds=130)
    monkeypatch.setattr(render, "signed_pdf", real)
    OfficialDocument.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
    assert services.documents_issue_due() == 1
    document.refresh_from_db()
    assert document.is_issued and document.last_error == ""


def test_the_issue_is_enqueued_on_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = approve(org)
    document = only_document(proposal)
    assert document.is_issued


def test_a_broker_outage_only_delays_the_document(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    from documents import tasks

    def refused(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.issue, "delay", refused)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = approve(org)
    document = only_document(proposal)
    assert proposal.state == "approved" and not document.is_issued
    assert tasks.issue_pending() == 1
    document.refresh_from_db()
    assert document.is_issued


def test_a_party_committee_issues_in_the_party_format(org, tree):
    from tests.factories.units import UnitFactory, grant
    from units.models import Role, Unit

    committee = UnitFactory(
        code="P-TU", name="Tỉnh ủy", kind=Unit.Kind.PARTY_COMMITTEE, parent=tree["province"]
    )
    secretary = grant(committee, Role.HEAD, full_name="Phạm Bí Thư")
    secretary.memberships.filter(unit=committee).update(title="Bí thư")
    member = grant(committee, Role.CADRE)
    proposal = reject(
        org,
        unit=committee,
        author=member,
        head=secretary,
        party=grant(committee, Role.PARTY_COMMITTEE),
    )
    document = only_document(proposal)
    assert document.party_format
    assert document.reference == "01-TB/TU"
    assert document.content["signer"]["capacity"] == "T/M TỈNH ỦY"
    issued = services.document_issue(pk=document.pk)
    text = pdf_text(issued.pdf.open("rb").read())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Số 01-TB/TU" in text
    assert "CỘNG HÒA XÃ HỘI" not in text


@pytest.mark.parametrize(
    ("kind", "name", "body", "capacity"),
    [
        ("party_advisory", "Ban Tổ chức Tỉnh ủy", "BAN TỔ CHỨC", ""),
        ("party_inspection", "Ủy ban Kiểm tra Tỉnh ủy", "ỦY BAN KIỂM TRA", "T/M ỦY BAN KIỂM TRA"),
    ],
)
def test_a_body_of_the_party_committee_issues_in_the_party_format(
    org, tree, kind, name, body, capacity
):
    """Hướng dẫn 36-HD/VPTW: under the committee's name ("TỈNH ỦY GIA LAI"), the body's own
    ("BAN TỔ CHỨC"); the inspection commission signs for its collective, an advisory body's
    head in their own name."""
    from tests.factories.units import UnitFactory, grant
    from units.models import Role, Unit

    committee = UnitFactory(
        code="P-TU", name="Tỉnh ủy Gia Lai", kind=Unit.Kind.PARTY_COMMITTEE, parent=tree["province"]
    )
    unit = UnitFactory(code="P-TU-B", name=name, kind=kind, parent=committee)
    chief = grant(unit, Role.HEAD, full_name="Phạm Trưởng Ban")
    member = grant(unit, Role.CADRE)
    proposal = reject(
        org, unit=unit, author=member, head=chief, party=grant(unit, Role.PARTY_COMMITTEE)
    )
    document = only_document(proposal)
    assert document.party_format
    assert document.reference == "01-TB/B"
    assert document.content["header"] == {"parent": "TỈNH ỦY GIA LAI", "body": body}
    assert document.content["signer"]["capacity"] == capacity
    text = pdf_text(services.document_issue(pk=document.pk).pdf.open("rb").read())
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "CỘNG HÒA XÃ HỘI" not in text


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 29), "Quy Nhơn, ngày 29 tháng 11 năm 2026"),
        (date(2026, 3, 5), "Quy Nhơn, ngày 05 tháng 3 năm 2026"),
        (date(2027, 2, 1), "Quy Nhơn, ngày 01 tháng 02 năm 2027"),
    ],
)
def test_the_date_line_follows_decree_30(day, expected):
    assert date_line("Quy Nhơn", day) == expected


def test_the_place_is_the_setting_or_the_root_unit(org, settings):
    from documents.wording import place_name

    settings.KL14_DOCUMENT_PLACE = "Quy Nhơn"
    assert place_name() == "Quy Nhơn"
    settings.KL14_DOCUMENT_PLACE = ""
    org.province.name = "Tỉnh Gia Lai"
    org.province.save()
    assert place_name() == "Gia Lai"


def test_ascii_file_names(org):
    document = only_document(approve(org))
    assert document.filename("pdf") == f"QD-01-A-{document.year}.pdf"
    assert document.filename("docx") == f"QD-01-A-{document.year}.docx"


def test_the_verify_page_recognises_an_issued_pdf(org):
    from reviews.dossier import EXTENDED, VALID, dossier_file_check
    from signing.services import ISSUED, OFFICIAL_DOCUMENT, document_check

    proposal = approve(org)
    document = services.document_issue(pk=only_document(proposal).pk)
    pdf = document.pdf.open("rb").read()
    check = document_check(pdf)
    assert check.status == ISSUED
    assert (check.document.kind, check.document.reference) == (OFFICIAL_DOCUMENT, "01/QĐ-A")
    assert check.document.chain_head == document.decision_entry.hash
    # Only its own issue is recorded after the decision: valid, not "new events since".
    assert LedgerEntry.objects.filter(proposal=proposal).latest("seq").event == "document_issue"
    assert dossier_file_check(pdf).status == VALID
    assert document_check(pdf[:-10] + b"0000000000").status != ISSUED
    # Anything else recorded since the decision is told: here, the pilot's plan.
    inspector = grant(org.province, Role.INSPECTOR, username="inspector")
    planned(proposal, head=org.head, monitors=[inspector])
    assert dossier_file_check(pdf).status == EXTENDED


def test_the_person_a_document_concerns_is_not_a_pilots_concerns():
    """Both read "Concerns" in English; a document's is the person it is for (Đối với), a pilot's
    inspection finding is that something needs attention."""
    from django.utils import translation

    from ledger.events import details
    from pilots.models import Assessment

    with translation.override("vi"):
        lines = dict(details("document_issue", {"reference": "17/QĐ-SNV", "concerns": "tam"}))
        assert lines["Đối với"] == "tam"
        assert str(Assessment.CONCERNS.label) == "Có vấn đề cần lưu ý"
