"""The review stage's decisions issue their official documents: the evaluation's conclusion, the
responsibility decision, the finding on an abuse case (revocation), recognition and the
replication directive."""

import pytest

from documents import services
from documents.models import OfficialDocument
from kl14.errors import Invalid
from reviews import services as reviews
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import decided, evaluated, recognised, replicated, succeeded
from tests.factories.units import grant
from units.models import Role

from .flows import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(org):
    return ProposalFactory(home_unit=org.agency, created_by=org.cadre)


def document(proposal, kind) -> OfficialDocument:
    return OfficialDocument.objects.get(proposal=proposal, kind=kind)


def test_the_evaluation_issues_its_conclusion(org, draft):
    proposal = evaluated(draft, head=org.head, party=org.party, outcome="partial")
    doc = document(proposal, "evaluation")
    assert (doc.doc_type, doc.unit, doc.signer) == ("TB", org.agency, org.head)
    assert doc.content["subject"].startswith("Kết luận đánh giá kết quả thực hiện")
    assert "Kết luận: đề xuất đạt một phần mục tiêu đề ra." in doc.content["paragraphs"]
    assert any("Hạ tầng mạng" in p for p in doc.content["paragraphs"])


def test_the_responsibility_decision_names_the_outcome_and_the_damage(org, draft):
    proposal = decided(draft, head=org.head, party=org.party, decision="reduced", damage=True)
    doc = document(proposal, "responsibility")
    assert doc.doc_type == "QĐ"
    # Numbered after the evaluation's conclusion, in the same register.
    assert doc.number == document(proposal, "evaluation").number + 1
    articles = " ".join(a["text"] for a in doc.content["articles"])
    assert "Giảm nhẹ trách nhiệm đối với Lê Thị Sáng" in articles
    assert "có thiệt hại (50.000.000 đồng)" in articles
    assert "khiếu nại" in articles
    issued = services.document_issue(pk=doc.pk)
    text = pdf_text(issued.pdf.open("rb").read())
    assert "Về việc xem xét trách nhiệm đối với Lê Thị Sáng" in text


def test_recognition_issues_the_authoritys_decision_for_its_recipients(org, draft):
    """Proposed by the agency's organization board, approved by the head of the province (the
    unit above it): the province issues the decision, signed by its head, on the board's
    proposal."""
    board = grant(org.agency, Role.ORGANIZATION_BOARD, full_name="Võ Tổ Chức")
    above = grant(org.province, Role.HEAD, full_name="Phan Chủ Tịch")
    proposal = succeeded(draft, head=org.head, party=org.party)
    recognised(proposal, board=board, authority=above, kind="reward")
    doc = document(proposal, "recognition")
    assert doc.content["subject"] == "Về việc khen thưởng cán bộ có đề xuất đổi mới, sáng tạo"
    assert doc.content["articles"][0]["text"].startswith("Khen thưởng Lê Thị Sáng")
    assert (doc.unit, doc.signer) == (org.province, above)
    assert "Xét đề nghị của Ban Tổ chức Sở;" in doc.content["grounds"]


def test_the_replication_directive_is_issued_by_the_authority_that_approved_it(org, draft):
    board = grant(org.province, Role.ORGANIZATION_BOARD, full_name="Võ Tổ Chức")
    standing = grant(org.province, Role.STANDING_COMMITTEE, full_name="Đinh Thường Vụ")
    proposal = succeeded(draft, head=org.head, party=org.party)
    replicated(proposal, board=board, authority=standing, target_units=[org.commune])
    doc = document(proposal, "replication")
    assert (doc.unit, doc.signer) == (org.province, standing)
    assert doc.reference == "01/QĐ-P"
    assert "Xã (hồ sơ DX-" in doc.content["articles"][0]["text"]
    assert doc.content["signer"]["name"] == "Đinh Thường Vụ"
    assert doc.content["signer"]["title"] == "ỦY VIÊN BAN THƯỜNG VỤ"
    assert "Xét đề nghị của Ban Tổ chức Tỉnh;" in doc.content["grounds"]


def _heard(org, draft):
    """A succeeded proposal referred for suspected abuse by the province's inspection, every
    author having explained."""
    inspector = grant(org.province, Role.INSPECTOR, full_name="Lê Thị Kiểm")
    proposal = succeeded(draft, head=org.head, party=org.party)
    reviews.proposal_refer_abuse(
        proposal=fresh(proposal),
        actor=inspector,
        grounds="Nghị định 73, Điều 6: vụ lợi.",
        evidence="Hồ sơ lựa chọn nhà cung cấp.",
    )
    for authorship in fresh(proposal).authorships.select_related("user"):
        reviews.abuse_explain(proposal=fresh(proposal), actor=authorship.user, text="Giải trình.")
    return proposal, inspector


def test_a_founded_finding_issues_the_revocation(org, draft):
    proposal, inspector = _heard(org, draft)
    reviews.proposal_conclude_abuse(
        proposal=fresh(proposal),
        actor=inspector,
        finding="founded",
        conclusion="Có căn cứ: tác giả có quan hệ với nhà cung cấp.",
    )
    doc = document(proposal, "abuse_finding")
    assert (doc.doc_type, doc.unit, doc.signer) == ("KL", org.province, inspector)
    assert doc.reference == "01/KL-P"
    assert doc.content["doc_name"] == "KẾT LUẬN"
    assert doc.content["subject"].startswith(
        "Kết luận về dấu hiệu lợi dụng chủ trương và thu hồi việc bảo vệ"
    )
    text = " ".join(doc.content["paragraphs"])
    assert "Căn cứ chuyển xem xét: Nghị định 73, Điều 6: vụ lợi." in text
    assert "số tác giả đã giải trình: 1" in text
    assert "Kết luận: Có căn cứ: tác giả có quan hệ với nhà cung cấp." in text
    assert "Thu hồi việc xem xét khuyến khích, bảo vệ" in text
    assert "khiếu nại" in text
    issued = services.document_issue(pk=doc.pk)
    pdf = pdf_text(issued.pdf.open("rb").read())
    assert "KẾT LUẬN" in pdf and "thu hồi việc bảo vệ" in pdf


def test_an_unfounded_finding_says_protection_stands(org, draft):
    proposal, inspector = _heard(org, draft)
    reviews.proposal_conclude_abuse(
        proposal=fresh(proposal),
        actor=inspector,
        finding="unfounded",
        conclusion="Không có căn cứ.",
    )
    doc = document(proposal, "abuse_finding")
    assert doc.unit == org.province
    assert "thu hồi" not in doc.content["subject"]
    assert "được giữ nguyên" in " ".join(doc.content["paragraphs"])


def test_a_refused_finding_issues_nothing(org, draft):
    proposal, inspector = _heard(org, draft)
    with pytest.raises(Invalid):
        reviews.proposal_conclude_abuse(
            proposal=fresh(proposal), actor=inspector, finding="maybe", conclusion=""
        )
    assert not OfficialDocument.objects.filter(proposal=proposal, kind="abuse_finding").exists()
