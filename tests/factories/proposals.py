import factory
from django.utils import timezone

from proposals import services
from proposals.models import Field, Proposal, ProposalAuthor, RegulationStatus

from .units import UserFactory

PLAN = {
    "summary": "Số hóa thủ tục cấp phép để rút ngắn thời gian giải quyết.",
    "bottleneck": "Thủ tục cấp phép hiện phải nộp hồ sơ giấy qua ba cấp, kéo dài 30 ngày.",
    "regulation_status": RegulationStatus.REGULATED_BUT_UNFIT,
    "purpose": "Rút ngắn thời gian giải quyết thủ tục hành chính xuống 10 ngày.",
    "content": "Tiếp nhận hồ sơ trực tuyến, liên thông dữ liệu giữa các sở.",
    "scope": "Toàn tỉnh, khối cơ quan nhà nước.",
    "implementers": "Phòng Cải cách hành chính.",
    "timeline": "Từ tháng 1 đến tháng 6 năm 2027.",
    "resources": "Ngân sách 500 triệu đồng, 3 cán bộ.",
    "feasibility": "Hạ tầng dữ liệu đã sẵn sàng.",
    "impact": "Tích cực: giảm chi phí; tiêu cực: cần đào tạo lại.",
    "expected_results": "Giảm 60% thời gian xử lý hồ sơ.",
    "criterion_bottleneck": True,
    "criterion_common_good": True,
    "criterion_urgent_need": True,
    "criterion_reform": True,
    "declaration_no_personal_interest": True,
}


class ProposalFactory(factory.django.DjangoModelFactory):
    """A complete draft (every section filled, criteria affirmed) by `created_by` in `home_unit`."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Đề xuất số hóa thủ tục hành chính {n}")
    field = Field.ADMINISTRATIVE_REFORM
    created_by = factory.SubFactory(UserFactory)
    home_unit = None
    summary = PLAN["summary"]
    bottleneck = PLAN["bottleneck"]
    regulation_status = PLAN["regulation_status"]
    purpose = PLAN["purpose"]
    content = PLAN["content"]
    scope = PLAN["scope"]
    implementers = PLAN["implementers"]
    timeline = PLAN["timeline"]
    resources = PLAN["resources"]
    feasibility = PLAN["feasibility"]
    impact = PLAN["impact"]
    expected_results = PLAN["expected_results"]
    criterion_bottleneck = True
    criterion_common_good = True
    criterion_urgent_need = True
    criterion_reform = True
    declaration_no_personal_interest = True

    @factory.post_generation
    def with_code_and_author(obj, create, extracted, **kwargs):
        if not create:
            return
        Proposal.objects.filter(pk=obj.pk).update(code=f"DX-2026-{obj.pk:06d}")
        obj.code = f"DX-2026-{obj.pk:06d}"
        ProposalAuthor.objects.create(proposal=obj, user=obj.created_by, is_creator=True)


# The collective's assessment of the four Art. 5(1) conditions that an approval requires.
CONDITIONS_MET = dict.fromkeys(services.ASSESSMENT_INPUTS, "met")


def committee_reference(number="15-CV/ĐU", **overrides) -> dict:
    """The reference of the Party committee's conclusion that an opinion requires: its document's
    number and date (today, as the clock reads when called) and who signed it."""
    return {
        "document_number": number,
        "document_date": timezone.localdate(),
        "signer_name": "Nguyễn Thị Bí Thư",
        "signer_title": "Bí thư Đảng ủy",
        **overrides,
    }


def committee_reference_data(number="15-CV/ĐU", **overrides) -> dict:
    """The same as a request body (the date in ISO format)."""
    reference = committee_reference(number, **overrides)
    return {**reference, "document_date": reference["document_date"].isoformat()}


def fresh(proposal):
    return Proposal.objects.select_related("home_unit", "deciding_unit").get(pk=proposal.pk)


def submitted(proposal, author):
    return fresh(services.proposal_submit(proposal=proposal, actor=author))


def under_review(proposal, author, head):
    services.proposal_submit(proposal=proposal, actor=author)
    return fresh(services.proposal_open_review(proposal=fresh(proposal), actor=head))


def in_state(proposal, state, *, deciding_unit=None, mode="", **fields):
    """Puts a proposal straight into `state` for tests of later stages (bypasses the services on
    purpose: use the real transitions when the path to the state is what is being tested).
    A frozen version 1 is created so the proposal counts as submitted."""
    from proposals.hashing import dossier_snapshot, version_hash
    from proposals.models import ProposalVersion

    proposal = fresh(proposal)
    if not ProposalVersion.objects.filter(proposal=proposal).exists():
        content = dossier_snapshot(proposal)
        ProposalVersion.objects.create(
            proposal=proposal,
            number=1,
            content=content,
            content_hash=version_hash(content),
            created_by=proposal.created_by,
        )
    Proposal.objects.filter(pk=proposal.pk).update(
        state=state,
        version=1,
        decision_round=max(proposal.decision_round, 1),
        deciding_unit=deciding_unit or proposal.deciding_unit or proposal.home_unit,
        mode=mode,
        **fields,
    )
    return fresh(proposal)
