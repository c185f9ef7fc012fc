"""Demo proposals in every state of the decision stage, created through the services so that their
ledgers are real. They were written over the past weeks (the clock is set back while each step
runs), so that the reminder sweep has decisions due soon and overdue to work on, and the dashboards
show real decision times. The helpers at the top are shared with the pilots' and reviews' demos."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from accounts.models import User
from units.demo import UNITS
from units.models import Role, Unit
from workdays.calendar import add_working_days

from . import services
from .models import Mode, Proposal

UNIT_CODES = {slug: code for code, slug, *_ in UNITS}


# --- helpers shared by the demo modules of proposals, pilots and reviews ---


@contextmanager
def clock(day: datetime.date | None, hour: int = 9):
    """Runs the services as if at `hour` o'clock on `day` (demo data only), so that dates, late
    flags and the ledger agree. `None` leaves the clock alone."""
    if day is None:
        yield
        return
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def demo_user(slug: str, suffix: str) -> User:
    return User.objects.get(username=f"{slug}.{suffix}")


def demo_unit(slug: str) -> Unit:
    return Unit.objects.get(code=UNIT_CODES[slug])


def committee_reference(slug: str, number: int) -> dict:
    """The reference of the Party committee's conclusion (Decree 73, Art. 4), as its `party`
    member signs it today: a letter (công văn) of the Tỉnh ủy (…-CV/TU) for the province's bodies,
    of the unit's Đảng ủy (…-CV/ĐU) otherwise."""
    member = demo_user(slug, "party")
    membership = member.memberships.get(role=Role.PARTY_COMMITTEE)
    symbol = "TU" if membership.title == "Tỉnh ủy viên" else "ĐU"
    return {
        "document_number": f"{number}-CV/{symbol}",
        "document_date": timezone.localdate(),
        "signer_name": member.full_name,
        "signer_title": membership.title,
    }


# The collective's assessment of the four Art. 5(1) conditions at an approval (all met).
CONDITIONS_MET = dict.fromkeys(services.ASSESSMENT_INPUTS, "met")


def dossier(*, field: str, bottleneck: str, result: str, **overrides) -> dict:
    """A complete Art. 7(2) plan with the four Art. 5(1) criteria affirmed."""
    return {
        "summary": "Tháo gỡ điểm nghẽn trong thực tiễn, đo kết quả bằng chỉ tiêu cụ thể.",
        "field": field,
        "bottleneck": bottleneck,
        "regulation_status": "regulated_but_unfit",
        "purpose": f"Sự cần thiết: {bottleneck} Mục đích: {result}",
        "content": "Xây dựng quy trình mới, ứng dụng công nghệ, tập huấn cán bộ, theo dõi kết quả.",
        "scope": "Áp dụng tại đơn vị trong thời gian thí điểm, sau đó đánh giá để nhân rộng.",
        "implementers": "Tổ công tác do lãnh đạo đơn vị phân công, cán bộ đề xuất làm tổ trưởng.",
        "timeline": "Quý I: chuẩn bị; quý II: triển khai; quý III: sơ kết, đánh giá.",
        "resources": "Kinh phí chi thường xuyên của đơn vị; 3 cán bộ; hạ tầng công nghệ sẵn có.",
        "feasibility": "Đã khảo sát, lấy ý kiến người dân và doanh nghiệp; hạ tầng đáp ứng.",
        "impact": "Tích cực: giảm thời gian, chi phí. Tiêu cực: thay đổi thói quen, cần tập huấn.",
        "expected_results": result,
        "criterion_bottleneck": True,
        "criterion_common_good": True,
        "criterion_urgent_need": True,
        "criterion_reform": True,
        "declaration_no_personal_interest": True,
        **overrides,
    }


def approved_by_collective(
    *, slug, author, title, fields, decided_on, mode=Mode.PILOT, working_days=4
) -> Proposal:
    """A proposal of the unit `slug`, submitted `working_days` before `decided_on`, reviewed,
    agreed by the Party committee, voted for by the whole collective and approved by the head on
    `decided_on`."""
    writer, head = demo_user(slug, author), demo_user(slug, "head")
    submitted_on = add_working_days(decided_on, -working_days)
    with clock(submitted_on):
        proposal = services.proposal_create(
            actor=writer, home_unit=demo_unit(slug), title=title, **fields
        )
        services.proposal_submit(proposal=proposal, actor=writer)
    with clock(add_working_days(submitted_on, 1), hour=8):
        services.proposal_open_review(proposal=proposal, actor=head)
        services.opinion_record(
            proposal=proposal,
            actor=demo_user(slug, "party"),
            stage="decision",
            stance="agree",
            text="Cấp ủy thống nhất chủ trương, đề nghị kiểm tra, giám sát chặt chẽ.",
            **committee_reference(slug, 100 + proposal.pk),
        )
    with clock(decided_on, hour=8):
        for voter in ("deputy1", "deputy2", "head"):
            services.vote_cast(proposal=proposal, actor=demo_user(slug, voter), choice="for")
    with clock(decided_on, hour=10):
        services.proposal_approve(proposal=proposal, actor=head, mode=mode, **CONDITIONS_MET)
    return proposal


# --- this app's demo: one proposal in every state of the decision stage ---

SCENARIOS = [
    # (unit slug, author suffix, title, field, bottleneck, expected result, path, working days ago)
    (
        "snv",
        "cadre1",
        "Số hóa quy trình tiếp nhận hồ sơ tuyển dụng công chức",
        "digital_transformation",
        "Hồ sơ tuyển dụng nộp bản giấy, kiểm tra thủ công mất nhiều ngày.",
        "Rút ngắn thời gian tiếp nhận hồ sơ từ 10 ngày xuống 2 ngày.",
        "draft",
        0,
    ),
    (
        "stc",
        "cadre1",
        "Thanh toán không dùng tiền mặt cho phí, lệ phí cấp xã",
        "finance",
        "Người dân phải nộp phí bằng tiền mặt tại trụ sở, khó quản lý, dễ thất thoát.",
        "90% khoản phí, lệ phí cấp xã được thanh toán điện tử.",
        "submitted",
        0,
    ),
    (
        "pquynhon",
        "cadre2",
        "Ứng dụng trí tuệ nhân tạo phân loại văn bản đến",
        "digital_transformation",
        "Văn bản đến được phân loại thủ công, chậm chuyển xử lý.",
        "Văn bản đến được phân loại và chuyển xử lý trong ngày.",
        "submitted",
        6,
    ),
    (
        "xtuyphuoc",
        "cadre1",
        "Mô hình “Một cửa lưu động” cho người cao tuổi",
        "administrative_reform",
        "Người cao tuổi ở thôn xa khó đến trụ sở xã để làm thủ tục hành chính.",
        "Mỗi tháng 4 buổi tiếp nhận hồ sơ tại thôn; 100% người cao tuổi được hỗ trợ.",
        "submitted",
        10,
    ),
    (
        "snv",
        "cadre2",
        "Giao quyền tự chủ biên chế cho đơn vị sự nghiệp công lập",
        "organisation",
        "Quy định về biên chế chưa phù hợp với đơn vị tự chủ tài chính.",
        "Đơn vị tự chủ chủ động tuyển dụng theo vị trí việc làm.",
        "under_review",
        3,
    ),
    (
        "stc",
        "cadre2",
        "Khoán chi hành chính theo kết quả đầu ra",
        "finance",
        "Định mức chi hành chính theo đầu vào không khuyến khích tiết kiệm.",
        "Tiết kiệm 10% chi thường xuyên mà không giảm chất lượng dịch vụ.",
        "returned",
        4,
    ),
    (
        "ppleiku",
        "cadre1",
        "Đấu giá trực tuyến quyền thuê ki-ốt chợ phường",
        "economy",
        "Việc cho thuê ki-ốt chợ chưa công khai, minh bạch.",
        "100% ki-ốt được cho thuê qua đấu giá trực tuyến công khai.",
        "withdrawn",
        5,
    ),
    (
        "skhcn",
        "cadre1",
        "Quỹ hỗ trợ ý tưởng khởi nghiệp sáng tạo cấp xã",
        "economy",
        "Chưa có cơ chế hỗ trợ tài chính cho ý tưởng khởi nghiệp ở cấp xã.",
        "Hỗ trợ 20 ý tưởng khởi nghiệp mỗi năm.",
        "rejected",
        8,
    ),
    (
        "snv",
        "cadre3",
        "Đánh giá cán bộ theo kết quả công việc đo được (KPI)",
        "organisation",
        "Đánh giá cán bộ còn hình thức, chưa gắn với kết quả công việc.",
        "100% cán bộ được đánh giá hằng quý bằng chỉ tiêu định lượng.",
        "approved_pilot",
        9,
    ),
    (
        "xtuyphuoc",
        "cadre2",
        "Liên thông đăng ký khai sinh và cấp thẻ bảo hiểm y tế trẻ em",
        "administrative_reform",
        "Cha mẹ phải làm riêng từng thủ tục khai sinh, thường trú, bảo hiểm y tế.",
        "Một lần nộp hồ sơ, nhận đủ kết quả trong 3 ngày.",
        "approved_override",
        9,
    ),
    (
        "snv",
        "head",
        "Sắp xếp lại các phòng chuyên môn theo chức năng, nhiệm vụ",
        "organisation",
        "Một số phòng chồng chéo nhiệm vụ, phân tán đầu mối.",
        "Giảm 2 đầu mối phòng, rõ trách nhiệm từng phòng.",
        "submitted",
        2,
    ),
    (
        "xphucat",
        "cadre2",
        "Cơ chế đặt hàng dịch vụ vệ sinh môi trường nông thôn",
        "land_environment",
        "Dịch vụ thu gom rác nông thôn chưa có cơ chế đặt hàng, chất lượng thấp.",
        "90% hộ dân được thu gom rác thải hằng tuần.",
        "escalated",
        4,
    ),
]


def seed(context: dict) -> None:
    today = timezone.localdate()
    for slug, suffix, title, field, bottleneck, result, path, days_ago in SCENARIOS:
        if Proposal.objects.filter(title=title).exists():
            continue
        author = demo_user(slug, suffix)
        submitted_on = add_working_days(today, -days_ago) if days_ago else None
        with clock(submitted_on):
            proposal = services.proposal_create(
                actor=author,
                home_unit=demo_unit(slug),
                title=title,
                **dossier(field=field, bottleneck=bottleneck, result=result),
            )
            if path != "draft":
                services.proposal_submit(proposal=proposal, actor=author)
        # The head and the collective act a few working days later, still in the past.
        acted_on = add_working_days(submitted_on, min(3, days_ago - 1)) if days_ago > 1 else None
        with clock(acted_on, hour=10):
            _walk(proposal, path, slug, author)


def _walk(proposal, path, slug, author):
    if path in ("draft", "submitted"):
        return
    if path == "withdrawn":
        services.proposal_withdraw(
            proposal=proposal, actor=author, reason="Đơn vị đã có chủ trương khác thay thế."
        )
        return
    if path == "escalated":
        services.proposal_escalate(
            proposal=proposal,
            actor=demo_user(slug, "head"),
            reason="Nội dung vượt thẩm quyền cấp xã, cần UBND tỉnh quyết định.",
        )
        return
    head = demo_user(slug, "head")
    services.proposal_open_review(proposal=proposal, actor=head)
    if path == "returned":
        services.proposal_return_for_revision(
            proposal=proposal,
            actor=head,
            comment="Đề nghị bổ sung đánh giá tác động tiêu cực và nguồn lực cụ thể.",
        )
        return
    party = demo_user(slug, "party")
    deputies = [demo_user(slug, "deputy1"), demo_user(slug, "deputy2")]
    services.opinion_record(
        proposal=proposal,
        actor=party,
        stage="decision",
        stance="agree",
        text="Cấp ủy thống nhất chủ trương, đề nghị theo dõi chặt chẽ.",
        **committee_reference(slug, 100 + proposal.pk),
    )
    if path == "under_review":
        services.vote_cast(proposal=proposal, actor=deputies[0], choice="for")
        return
    if path == "approved_pilot":
        for voter in (*deputies, head):
            services.vote_cast(proposal=proposal, actor=voter, choice="for")
        services.proposal_approve(proposal=proposal, actor=head, mode=Mode.PILOT, **CONDITIONS_MET)
        return
    for voter in deputies:
        services.vote_cast(proposal=proposal, actor=voter, choice="against")
    if path == "rejected":
        services.proposal_reject(
            proposal=proposal,
            actor=head,
            reasons="Chưa đủ cơ sở pháp lý và nguồn lực để triển khai.",
        )
    elif path == "approved_override":
        services.proposal_approve(
            proposal=proposal,
            actor=head,
            mode=Mode.IMPLEMENTATION,
            override_reason="Yêu cầu cấp bách của người dân; tôi chịu trách nhiệm cá nhân.",
            **CONDITIONS_MET,
        )
