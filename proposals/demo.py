"""Demo proposals in every state of the decision stage, created through the services so that their
ledgers are real. Some were submitted earlier (the clock is set back while they are created) so
that the reminder sweep has decisions due soon and overdue to work on."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from accounts.models import User
from workdays.calendar import add_working_days

from . import services
from .models import Mode, Proposal

PLAN = {
    "regulation_status": "regulated_but_unfit",
    "criterion_bottleneck": True,
    "criterion_common_good": True,
    "criterion_urgent_need": True,
    "criterion_reform": True,
    "declaration_no_personal_interest": True,
}


def _plan(topic: str, bottleneck: str, result: str) -> dict:
    return {
        **PLAN,
        "summary": f"Đề xuất {topic.lower()} nhằm tháo gỡ điểm nghẽn trong thực tiễn.",
        "bottleneck": bottleneck,
        "purpose": f"Sự cần thiết: {bottleneck} Mục đích: {result}",
        "content": "Xây dựng quy trình mới, ban hành hướng dẫn, tập huấn cán bộ, theo dõi kết quả.",
        "scope": "Áp dụng tại đơn vị trong 6 tháng, sau đó đánh giá để nhân rộng.",
        "implementers": "Tổ công tác do lãnh đạo đơn vị phân công, cán bộ đề xuất làm tổ trưởng.",
        "timeline": "Quý I: chuẩn bị; quý II: triển khai; quý III: sơ kết, đánh giá.",
        "resources": "Kinh phí chi thường xuyên của đơn vị; 3 cán bộ; hạ tầng công nghệ sẵn có.",
        "feasibility": "Đã khảo sát, lấy ý kiến người dân và doanh nghiệp; hạ tầng đáp ứng.",
        "impact": "Tích cực: giảm thời gian, chi phí. Tiêu cực: thay đổi thói quen, cần tập huấn.",
        "expected_results": result,
    }


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
        "skhcn",
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
        "xphucat",
        "cadre1",
        "Đấu giá trực tuyến quyền thuê ki-ốt chợ xã",
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


@contextmanager
def _clock(moment):
    """Runs the services as if at `moment` (demo data only), so dates and the ledger agree."""
    if moment is None:
        yield
        return
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _moment(days_ago: int):
    if not days_ago:
        return None
    day = add_working_days(timezone.localdate(), -days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


def _user(username) -> User:
    return User.objects.get(username=username)


def seed(context: dict) -> None:
    units = {unit.code: unit for unit in context["units"].values()}
    slug_to_code = {
        "snv": "BD-SNV",
        "stc": "BD-STC",
        "skhcn": "BD-SKHCN",
        "xtuyphuoc": "BD-XTP",
        "xphucat": "BD-XPC",
    }
    created = []
    for slug, suffix, title, field, bottleneck, result, path, days_ago in SCENARIOS:
        if Proposal.objects.filter(title=title).exists():
            continue
        author = _user(f"{slug}.{suffix}")
        unit = units[slug_to_code[slug]]
        with _clock(_moment(days_ago)):
            proposal = services.proposal_create(
                actor=author,
                home_unit=unit,
                title=title,
                field=field,
                **_plan(title, bottleneck, result),
            )
            _walk(proposal, path, slug, author)
        created.append(proposal)
    context["proposals"] = created


def _walk(proposal, path, slug, author):
    if path == "draft":
        return
    services.proposal_submit(proposal=proposal, actor=author)
    if path == "submitted":
        return
    if path == "withdrawn":
        services.proposal_withdraw(
            proposal=proposal, actor=author, reason="Đơn vị đã có chủ trương khác thay thế."
        )
        return
    if path == "escalated":
        services.proposal_escalate(
            proposal=proposal,
            actor=_user(f"{slug}.head"),
            reason="Nội dung vượt thẩm quyền cấp xã, cần UBND tỉnh quyết định.",
        )
        return
    head = _user(f"{slug}.head")
    services.proposal_open_review(proposal=proposal, actor=head)
    if path == "returned":
        services.proposal_return_for_revision(
            proposal=proposal,
            actor=head,
            comment="Đề nghị bổ sung đánh giá tác động tiêu cực và nguồn lực cụ thể.",
        )
        return
    party = _user(f"{slug}.party")
    deputies = [_user(f"{slug}.deputy1"), _user(f"{slug}.deputy2")]
    services.opinion_record(
        proposal=proposal,
        actor=party,
        stage="decision",
        stance="agree",
        text="Cấp ủy thống nhất chủ trương, đề nghị theo dõi chặt chẽ.",
    )
    if path == "under_review":
        services.vote_cast(proposal=proposal, actor=deputies[0], choice="for")
        return
    if path == "approved_pilot":
        for voter in (*deputies, head):
            services.vote_cast(proposal=proposal, actor=voter, choice="for")
        services.proposal_approve(proposal=proposal, actor=head, mode=Mode.PILOT)
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
        )
