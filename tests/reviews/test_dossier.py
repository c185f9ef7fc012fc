"""The protection dossier (hồ sơ bảo vệ): the PDF carries the chain head and extractable Vietnamese
text; its code checks against the ledger as valid, extended or broken."""

import io
import unicodedata

import pytest
from django.test import Client
from pypdf import PdfReader

from kl14.errors import Conflict, NotFound
from ledger.models import LedgerEntry
from proposals.models import State
from proposals.selectors import proposal_verify
from reviews import services
from reviews.dossier import (
    BROKEN,
    EXTENDED,
    UNKNOWN,
    VALID,
    code_from_pdf,
    dossier_check,
    dossier_pdf,
    normalise_code,
    verification_code,
)
from reviews.models import DossierIssue
from tests.exports.flows import api_file, dossier_of
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import decided, through_pilot
from tests.ledger.tamper import tampering

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def protected(org, proposal):
    """Evaluated with damage, responsibility reduced."""
    return decided(proposal, head=org.head, party=org.party)


def issue(proposal, user):
    issued, verification = services.dossier_issue(proposal=fresh(proposal), actor=user)
    return issued, verification, dossier_pdf(fresh(proposal), issued, verification, language="vi")


class TestThePdf:
    def test_it_prints_the_chain_head_and_extractable_vietnamese(self, org, protected):
        issued, verification, pdf = issue(protected, org.cadre)
        assert pdf.startswith(b"%PDF")
        text = text_of(pdf)
        compact = text.replace("\n", "")  # a hash may wrap
        text = " ".join(text.split())  # so may a phrase
        assert verification.head in compact
        assert issued.chain_head == verification.head
        assert issued.code in text
        assert "HỒ SƠ BẢO VỆ" in text
        assert protected.title in compact
        assert "Giảm nhẹ trách nhiệm" in text
        assert "Đang đánh giá → Xem xét trách nhiệm" in text
        assert "Nguyễn Thị Hương" in text  # an author
        assert "Trần Văn Hùng" in text  # the head who decided
        assert "Thực hiện đúng kế hoạch được phê duyệt" in text
        for entry in LedgerEntry.objects.filter(proposal=protected):
            assert entry.hash in compact
        version = protected.versions.get()
        assert version.content_hash in compact

    def test_the_code_is_in_the_metadata_and_the_text(self, org, protected):
        issued, _verification, pdf = issue(protected, org.cadre)
        reader = PdfReader(io.BytesIO(pdf))
        assert issued.code in reader.metadata["/Keywords"]
        assert code_from_pdf(pdf) == issued.code

    def test_with_the_pilot_the_reports_and_kpis_are_in_it(self, org, proposal):
        proposal = through_pilot(proposal, org=org)
        _issued, _verification, pdf = issue(proposal, org.head)
        text = text_of(pdf)
        assert "Báo cáo kết quả cuối cùng" in text
        assert "Thời gian giải quyết hồ sơ" in text
        assert "Báo cáo trung thực" in text
        assert "Biểu quyết của tập thể lãnh đạo" in text

    def test_issuing_again_at_the_same_head_gives_the_same_code(self, org, protected):
        first, *_ = issue(protected, org.cadre)
        second, *_ = issue(protected, org.head)
        assert first == second
        assert DossierIssue.objects.count() == 1
        assert first.issued_by == org.cadre
        assert not LedgerEntry.objects.filter(proposal=protected, event__contains="dossier")

    def test_a_new_event_gives_a_new_code(self, org, protected):
        first, *_ = issue(protected, org.cadre)
        services.lesson_publish(proposal=fresh(protected), actor=org.head, lessons="Bài học")
        second, *_ = issue(protected, org.cadre)
        assert first.code != second.code
        assert second.entries == first.entries + 1

    def test_not_visible_is_not_found_and_a_draft_has_none(self, org, protected):
        with pytest.raises(NotFound):
            services.dossier_issue(proposal=protected, actor=org.commune_cadre)
        draft = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
        with pytest.raises(Conflict):
            services.dossier_issue(proposal=draft, actor=org.cadre)


class TestCheck:
    def test_valid(self, org, protected):
        issued, *_ = issue(protected, org.cadre)
        check = dossier_check(issued.code)
        assert check.status == VALID
        assert check.verification.head == issued.chain_head

    def test_the_code_is_read_leniently(self, org, protected):
        issued, *_ = issue(protected, org.cadre)
        sloppy = issued.code.lower().replace("-", " ")
        assert normalise_code(sloppy) == issued.code
        assert dossier_check(f"  mã: {sloppy} ").status == VALID

    def test_extended_when_events_follow(self, org, protected):
        issued, *_ = issue(protected, org.cadre)
        services.lesson_publish(proposal=fresh(protected), actor=org.head, lessons="Bài học")
        check = dossier_check(issued.code)
        assert check.status == EXTENDED
        assert check.verification.entries == issued.entries + 1

    @pytest.mark.parametrize("column", ["payload", "actor_id", "to_state", "at"])
    def test_broken_after_a_ledger_row_is_altered_in_the_database(self, org, protected, column):
        issued, *_ = issue(protected, org.cadre)
        target = LedgerEntry.objects.get(proposal=protected, seq=2)
        values = {
            "payload": '{"forged": true}',
            "actor_id": org.commune_head.pk,
            "to_state": State.SUCCEEDED,
            "at": "2020-01-01 00:00:00",
        }
        with tampering() as cursor:
            cursor.execute(
                f"UPDATE ledger_ledgerentry SET {column} = %s WHERE id = %s",  # noqa: S608
                [values[column], target.pk],
            )
        assert not proposal_verify(protected).valid
        check = dossier_check(issued.code)
        assert check.status == BROKEN
        assert check.first_bad_seq == 2

    def test_broken_when_the_chain_is_cut_short(self, org, protected):
        issued, *_ = issue(protected, org.cadre)
        last = LedgerEntry.objects.filter(proposal=protected).order_by("-seq").first()
        with tampering() as cursor:
            cursor.execute("DELETE FROM ledger_ledgerentry WHERE id = %s", [last.pk])
        assert dossier_check(issued.code).status == BROKEN

    def test_broken_when_the_last_entry_is_rewritten_with_a_consistent_hash(self, org, protected):
        """A forger who recomputes the last hash keeps the chain self-consistent, but the head the
        dossier recorded is gone."""
        from ledger.hashing import hash_of_entry

        issued, *_ = issue(protected, org.cadre)
        last = LedgerEntry.objects.filter(proposal=protected).order_by("-seq").first()
        last.payload = {**last.payload, "decision": "liability_excluded"}
        forged = hash_of_entry(last, protected.code)
        with tampering() as cursor:
            cursor.execute(
                "UPDATE ledger_ledgerentry SET payload = %s, hash = %s WHERE id = %s",
                ['{"decision": "liability_excluded"}', forged, last.pk],
            )
        check = dossier_check(issued.code)
        assert check.status == BROKEN

    def test_broken_when_the_recorded_head_is_forged(self, org, protected):
        issued, *_ = issue(protected, org.cadre)
        DossierIssue.objects.filter(pk=issued.pk).update(chain_head="0" * 64)
        assert dossier_check(issued.code).status == BROKEN

    def test_unknown_code(self, org, protected):
        issue(protected, org.cadre)
        assert dossier_check("AAAA-BBBB-CCCC-DDDD").status == UNKNOWN
        assert dossier_check("").status == UNKNOWN

    def test_the_code_depends_on_the_key(self, org, protected, settings):
        issued, *_ = issue(protected, org.cadre)
        settings.SECRET_KEY = "another-key-" + "x" * 40
        assert verification_code(protected.code, issued.chain_head) != issued.code


class TestPages:
    def test_download_and_verify_by_uploading_the_pdf(self, org, protected):
        client = Client()
        client.force_login(org.cadre)
        response = dossier_of(client, protected)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert protected.code in response["Content-Disposition"]
        code = response["X-Verification-Code"]
        pdf = b"".join(response.streaming_content)

        checker = Client()
        checker.force_login(org.commune_cadre)  # anyone signed in
        upload = io.BytesIO(pdf)
        upload.name = "ho-so.pdf"
        page = checker.post("/dossiers/verify/", {"file": upload})
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-status="valid"' in body
        assert code in body

        with tampering() as cursor:
            cursor.execute(
                "UPDATE ledger_ledgerentry SET payload = %s WHERE proposal_id = %s AND seq = 1",
                ['{"forged": true}', protected.pk],
            )
        assert (
            'data-status="broken"' in checker.get(f"/dossiers/verify/?code={code}").content.decode()
        )

    def test_the_verify_page_answers_not_issued_for_a_file_kl14_never_issued(self, org):
        client = Client()
        client.force_login(org.cadre)
        upload = io.BytesIO(b"%PDF-1.4 not really")
        upload.name = "x.pdf"
        answer = client.post("/dossiers/verify/", {"file": upload})
        assert answer.status_code == 200
        assert 'data-status="not_issued"' in answer.content.decode()
        assert client.post("/dossiers/verify/", {}).status_code == 400
        unknown = client.post("/dossiers/verify/", {"code": "AAAA-BBBB-CCCC-DDDD"})
        assert 'data-status="unknown"' in unknown.content.decode()

    def test_the_api(self, org, protected):
        client = Client()
        client.force_login(org.cadre)
        response = api_file(client, f"/api/v1/proposals/{protected.pk}/dossier/")
        assert response.status_code == 200
        code = response["X-Verification-Code"]
        pdf = b"".join(response.streaming_content)
        checked = client.post(
            "/api/v1/dossiers/verify/", {"code": code}, content_type="application/json"
        )
        assert checked.status_code == 200
        assert checked.json()["status"] == "valid"
        assert checked.json()["chain_head_at_issue"] == proposal_verify(protected).head
        upload = io.BytesIO(pdf)
        upload.name = "d.pdf"
        assert client.post("/api/v1/dossiers/verify/", {"file": upload}).json()["code"] == code
        missing = client.post("/api/v1/dossiers/verify/", {"code": "AAAA-BBBB-CCCC-DDDD"})
        assert missing.status_code == 404
        assert client.post("/api/v1/dossiers/verify/", {}).status_code == 400
        outsider = Client()
        outsider.force_login(org.commune_cadre)
        assert outsider.get(f"/api/v1/proposals/{protected.pk}/dossier/").status_code == 404
        assert Client().post("/api/v1/dossiers/verify/", {"code": code}).status_code == 401
