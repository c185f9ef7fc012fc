"""Demo reviews, created through the services (proposals' to approve, pilots' to run the pilot and
file the final report, then this app's), so that every ledger is real: a succeeded model replicated
to both communes (one adoption already evaluated, so the KPIs compare) and recognised; one
institutionalised; one just succeeded; one awaiting the responsibility decision; one of each
responsibility outcome; one referred for abuse (explained, found founded); one succeeded and then
referred, its abuse case being heard; one evaluating with the Party committee's opinion in. Some
are published to the lessons library.

The work happened over the past months: the clock is set back while each step runs, so dates and
the ledger agree. Idempotent: a scenario whose title exists is left alone. Runs after the pilots'
demo (INSTALLED_APPS order)."""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from accounts.models import User
from pilots import services as pilots
from proposals import services as proposals
from proposals.demo import (
    approved_by_collective,
    clock,
    committee_reference,
    demo_unit,
    demo_user,
    dossier,
)
from proposals.models import Proposal
from proposals.selectors import voting_collective
from workdays.calendar import add_working_days

from . import board_requests, evaluation, responsibility, services

OBJECTIVE = "Hạ tầng mạng ở một số thôn chưa ổn định; kinh phí cấp chậm một quý."
SUBJECTIVE = "Một số cán bộ chưa quen quy trình mới; công tác tuyên truyền chưa sâu rộng."


@dataclass
class Scenario:
    slug: str
    author: str
    title: str
    field: str
    bottleneck: str
    result: str
    kpis: list  # (name, unit, baseline, target, direction, final)
    story: str
    ended_days_ago: int  # working days
    lessons: str = ""
    extra: dict = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "snv",
        "cadre3",
        "Mô hình “Một cửa số” tiếp nhận hồ sơ công chức trực tuyến toàn trình",
        "digital_transformation",
        "Hồ sơ thi tuyển, nâng ngạch công chức phải nộp giấy, đi lại nhiều lần.",
        "100% hồ sơ công chức được tiếp nhận trực tuyến; thời gian xử lý còn 5 ngày.",
        [
            ("Thời gian xử lý hồ sơ", "ngày", 20, 5, "lower", 4),
            ("Tỷ lệ hồ sơ nộp trực tuyến", "%", 10, 100, "higher", 97),
        ],
        story="replicated",
        ended_days_ago=60,
        lessons=(
            "Thủ tục hành chính chỉ rút ngắn thật sự khi bỏ được bước nộp giấy; cần chuẩn hóa "
            "biểu mẫu trước khi số hóa và tập huấn cán bộ một cửa ngay từ đầu."
        ),
    ),
    Scenario(
        "skhcn",
        "cadre1",
        "Cơ chế đặt hàng nhiệm vụ khoa học và công nghệ theo kết quả đầu ra",
        "economy",
        "Nhiệm vụ khoa học giao theo đầu vào, nghiệm thu hình thức, ít được ứng dụng.",
        "80% nhiệm vụ đặt hàng được ứng dụng trong 12 tháng.",
        [
            ("Tỷ lệ nhiệm vụ được ứng dụng", "%", 25, 80, "higher", 84),
            ("Thời gian xét duyệt nhiệm vụ", "ngày", 90, 45, "lower", 40),
        ],
        story="institutionalized",
        ended_days_ago=80,
        lessons=(
            "Đặt hàng theo kết quả đầu ra cần hợp đồng rõ tiêu chí nghiệm thu; nên thể chế hóa "
            "thành quy định của tỉnh để các sở áp dụng thống nhất."
        ),
    ),
    Scenario(
        "stc",
        "cadre2",
        "Thí điểm đối soát thu ngân sách tự động với kho bạc",
        "finance",
        "Đối soát thu ngân sách làm thủ công hằng ngày, sai sót phải điều chỉnh nhiều lần.",
        "Đối soát tự động 100% chứng từ thu, sai sót dưới 0,5%.",
        [
            ("Tỷ lệ chứng từ đối soát tự động", "%", 0, 100, "higher", 100),
            ("Tỷ lệ sai sót", "%", 4, 0.5, "lower", 0.3),
        ],
        story="succeeded",
        ended_days_ago=25,
    ),
    Scenario(
        "stc",
        "cadre3",
        "Thí điểm thanh toán không dùng tiền mặt các khoản phí, lệ phí tại bộ phận một cửa",
        "digital_transformation",
        "Người dân nộp phí, lệ phí bằng tiền mặt, cán bộ phải kiểm đếm, nộp kho bạc hằng ngày.",
        "80% khoản phí, lệ phí được thanh toán không dùng tiền mặt.",
        [
            ("Tỷ lệ thanh toán không dùng tiền mặt", "%", 5, 80, "higher", 85),
            ("Thời gian nộp phí", "phút", 15, 3, "lower", 2),
        ],
        story="abuse_review",
        ended_days_ago=30,
    ),
    Scenario(
        "xphucat",
        "cadre1",
        "Thí điểm chợ nông sản trực tuyến của xã",
        "economy",
        "Nông sản của xã bán qua thương lái, giá thấp, không chủ động đầu ra.",
        "200 hộ bán hàng trực tuyến; doanh thu tăng 20%.",
        [
            ("Số hộ bán hàng trực tuyến", "hộ", 0, 200, "higher", 70),
            ("Mức tăng doanh thu", "%", 0, 20, "higher", 5),
        ],
        story="responsibility_review",
        ended_days_ago=20,
    ),
    Scenario(
        "snv",
        "cadre1",
        "Thí điểm đánh giá cán bộ theo kết quả công việc hằng tháng",
        "organisation",
        "Đánh giá cán bộ cuối năm mang tính hình thức, chưa gắn với sản phẩm cụ thể.",
        "100% cán bộ được đánh giá theo sản phẩm hằng tháng.",
        [
            ("Tỷ lệ cán bộ đánh giá hằng tháng", "%", 0, 100, "higher", 75),
            ("Số sản phẩm được lượng hóa", "sản phẩm", 0, 40, "higher", 28),
        ],
        story="liability_excluded",
        ended_days_ago=70,
        lessons=(
            "Lượng hóa sản phẩm của cán bộ làm công tác tham mưu khó hơn dự kiến; cần bộ tiêu "
            "chí riêng cho từng vị trí việc làm trước khi áp dụng đại trà."
        ),
        extra={"outcome": "partial", "damage": False, "decision": "liability_excluded"},
    ),
    Scenario(
        "xtuyphuoc",
        "cadre2",
        "Thí điểm nạo vét kênh mương bằng cơ chế đặt hàng cộng đồng",
        "land_environment",
        "Kênh mương bồi lắng, đấu thầu nhỏ lẻ kéo dài, mùa vụ không chờ được.",
        "Nạo vét 15 km kênh trước mùa mưa với chi phí giảm 20%.",
        [
            ("Chiều dài kênh được nạo vét", "km", 0, 15, "higher", 9),
            ("Mức giảm chi phí", "%", 0, 20, "higher", 8),
        ],
        story="exempted",
        ended_days_ago=65,
        extra={
            "outcome": "damage",
            "damage": True,
            "damage_amount": 180_000_000,
            "decision": "exempted",
            "causes_objective": "Mưa lũ sớm bất thường làm sạt lở đoạn kênh đang thi công.",
        },
    ),
    Scenario(
        "stc",
        "cadre1",
        "Thí điểm phân bổ dự toán theo kết quả đầu ra cho đơn vị sự nghiệp",
        "finance",
        "Dự toán giao theo số biên chế, không gắn với khối lượng, chất lượng dịch vụ.",
        "Tiết kiệm 10% chi thường xuyên của các đơn vị thí điểm.",
        [
            ("Mức tiết kiệm chi thường xuyên", "%", 0, 10, "higher", 3),
            ("Số đơn vị tham gia", "đơn vị", 0, 8, "higher", 8),
        ],
        story="reduced",
        ended_days_ago=55,
        lessons=(
            "Giao dự toán theo kết quả cần dữ liệu chi phí chuẩn; thiếu định mức thì dễ giao "
            "thừa, gây thất thoát. Phải xây dựng định mức trước khi thí điểm."
        ),
        extra={
            "outcome": "damage",
            "damage": True,
            "damage_amount": 350_000_000,
            "decision": "reduced",
        },
    ),
    Scenario(
        "skhcn",
        "cadre2",
        "Thí điểm liên kết viện, trường hỗ trợ doanh nghiệp đổi mới công nghệ",
        "economy",
        "Doanh nghiệp nhỏ thiếu chuyên gia; viện, trường thiếu đơn hàng thực tế.",
        "30 doanh nghiệp đổi mới công nghệ với sự hỗ trợ của viện, trường.",
        [
            ("Số doanh nghiệp được hỗ trợ", "doanh nghiệp", 0, 30, "higher", 6),
            ("Số hợp đồng chuyển giao", "hợp đồng", 0, 20, "higher", 2),
        ],
        story="held_responsible",
        ended_days_ago=50,
        extra={
            "outcome": "not_achieved",
            "damage": True,
            "damage_amount": 95_000_000,
            "decision": "held_responsible",
            "no_personal_gain": False,
        },
    ),
    Scenario(
        "snv",
        "cadre2",
        "Thí điểm thuê ngoài dịch vụ số hóa hồ sơ lưu trữ",
        "digital_transformation",
        "Hồ sơ lưu trữ giấy xuống cấp; đơn vị không đủ người để tự số hóa.",
        "Số hóa 200.000 trang hồ sơ lưu trữ trong 6 tháng.",
        [
            ("Số trang hồ sơ được số hóa", "nghìn trang", 0, 200, "higher", 70),
            ("Tỷ lệ hồ sơ tra cứu được trực tuyến", "%", 0, 60, "higher", 20),
        ],
        story="responsibility_decided",
        ended_days_ago=45,
        extra={
            "outcome": "damage",
            "co_author": "cadre3",
            # One decision per author (amendment of 2026-11-29): different outcomes.
            "per_author": {
                "cadre2": {"decision": "reduced", "no_personal_gain": True},
                "cadre3": {"decision": "held_responsible", "no_personal_gain": False},
            },
        },
    ),
    Scenario(
        "xtuyphuoc",
        "cadre1",
        "Thí điểm giao khoán quản lý chợ cho tổ hợp tác",
        "economy",
        "Ban quản lý chợ thu phí thủ công, thất thu, vệ sinh kém.",
        "Thu phí chợ tăng 30%, chợ sạch đẹp.",
        [
            ("Mức tăng thu phí chợ", "%", 0, 30, "higher", 0),
            ("Số tiểu thương hài lòng", "%", 40, 80, "higher", 45),
        ],
        story="referred",
        ended_days_ago=0,
    ),
    Scenario(
        "xphucat",
        "cadre2",
        "Thí điểm cấp nước sạch theo cụm dân cư do cộng đồng quản lý",
        "social",
        "Nhiều cụm dân cư chưa có nước sạch; công trình tập trung xuống cấp vì thiếu quản lý.",
        "95% hộ trong vùng thí điểm có nước sạch.",
        [
            ("Tỷ lệ hộ có nước sạch", "%", 55, 95, "higher", 93),
            ("Số công trình hoạt động bền vững", "công trình", 2, 10, "higher", 9),
        ],
        story="evaluating",
        ended_days_ago=6,
    ),
]


def _dossier(s: Scenario) -> dict:
    return dossier(
        field=s.field,
        bottleneck=s.bottleneck,
        result=s.result,
        summary=f"{s.title}: tháo gỡ điểm nghẽn, đo kết quả bằng chỉ tiêu cụ thể.",
        timeline="Ba tháng triển khai, báo cáo tiến độ hằng tháng.",
    )


def _kpis(s: Scenario) -> list[dict]:
    return [
        {
            "name": name,
            "unit": unit,
            "baseline": str(base),
            "target": str(target),
            "direction": direction,
        }
        for name, unit, base, target, direction, _final in s.kpis
    ]


def _run_pilot(
    proposal, *, head, author, cosigner, kpis, finals, start, end, monitors, completer=None
):
    """Plan, co-signature, start; then (when `end` is given) completion and final report. `head`
    supervises: the home unit's head, or the deciding unit's when an author heads the home unit
    (`completer`: who then declares the work done)."""
    with clock(start):
        pilots.plan_save(
            proposal=proposal,
            actor=head,
            start_date=start,
            end_date=end or start + datetime.timedelta(days=120),
            reporting_cadence="quarterly",
            budget_amount=250_000_000,
            budget_details="Chi thường xuyên của đơn vị năm 2026.",
            people="Tổ công tác 3 cán bộ.",
            equipment="Máy tính, phần mềm dùng chung của tỉnh.",
            risk_declaration=(
                "Rủi ro: người dân, cán bộ chưa quen cách làm mới. Biện pháp: tập huấn, triển "
                "khai từng bước, dừng ngay khi phát hiện sai phạm."
            ),
            monitors=monitors,
            milestones=[
                {"name": "Chuẩn bị", "due_date": start + datetime.timedelta(days=10)},
                {"name": "Đánh giá", "due_date": end or start + datetime.timedelta(days=120)},
            ],
            kpis=kpis,
        )
        pilots.plan_cosign(proposal=proposal, actor=cosigner)
        pilots.pilot_start(proposal=proposal, actor=head)
    if end is None:
        return
    with clock(end, hour=16):
        pilots.pilot_complete(proposal=proposal, actor=completer or author)
    with clock(add_working_days(end, 2), hour=10):
        pilots.pilot_submit_final_report(
            proposal=proposal,
            actor=author,
            report=(
                "Báo cáo trung thực kết quả thí điểm: đã thực hiện đúng kế hoạch được duyệt; "
                "các chỉ tiêu đạt như số liệu kèm theo."
            ),
            kpi_values=finals,
        )


def _approve(s: Scenario, day) -> Proposal:
    fields = _dossier(s)
    if "co_author" in s.extra:
        fields["co_authors"] = [demo_user(s.slug, s.extra["co_author"])]
    return approved_by_collective(
        slug=s.slug, author=s.author, title=s.title, fields=fields, decided_on=day
    )


def _minutes_pdf() -> bytes:
    """The minutes of an evaluation meeting as the demo uploads them: a one-page PDF (uploads are
    opened as what they claim to be, proposals/uploads.py)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _evaluate(proposal, *, slug, day, outcome, objective=OBJECTIVE):
    with clock(day, hour=8):
        proposals.opinion_record(
            proposal=proposal,
            actor=demo_user(slug, "party"),
            stage="evaluation",
            stance="agree" if outcome == "achieved" else "agree_with_conditions",
            text="Cấp ủy thống nhất với báo cáo kết quả, đề nghị làm rõ nguyên nhân.",
            **committee_reference(slug, 200 + proposal.pk),
        )
    with clock(day, hour=10):
        collective = voting_collective(Proposal.objects.get(pk=proposal.pk))
        voters = User.objects.filter(pk__in=collective.eligible).order_by("pk")
        for voter in voters:
            evaluation.evaluation_ballot_cast(proposal=proposal, actor=voter, choice=outcome)
    with clock(day, hour=15):
        services.proposal_evaluate(
            proposal=proposal,
            actor=demo_user(slug, "head"),
            outcome=outcome,
            causes_objective=objective,
            causes_subjective=SUBJECTIVE,
            meeting_date=day,
            minutes=ContentFile(_minutes_pdf(), name="bien-ban-hop-danh-gia-ket-qua.pdf"),
        )


def _play(s: Scenario, today):
    ended = add_working_days(today, -s.ended_days_ago) if s.ended_days_ago else None
    approved_on = add_working_days(ended or today, -80)
    start = approved_on + datetime.timedelta(days=3)
    proposal = _approve(s, approved_on)
    head, author = demo_user(s.slug, "head"), demo_user(s.slug, s.author)
    _run_pilot(
        proposal,
        head=head,
        author=author,
        cosigner=head,
        kpis=_kpis(s),
        finals={name: str(final) for name, _u, _b, _t, _d, final in s.kpis},
        start=start,
        end=ended,
        monitors=[demo_user(s.slug, "inspector")],
    )
    if s.story == "referred":
        inspector = User.objects.get(username="ubnd.inspector")
        with clock(add_working_days(today, -14)):
            services.proposal_refer_abuse(
                proposal=proposal,
                actor=inspector,
                grounds=(
                    "Dấu hiệu lợi dụng chủ trương khuyến khích đổi mới để trục lợi (Nghị định "
                    "73/2023/NĐ-CP, Điều 6)."
                ),
                evidence=(
                    "Kiểm tra phát hiện tổ hợp tác do người thân của tác giả đứng tên, thu phí "
                    "vượt mức quy định và không nộp ngân sách đầy đủ."
                ),
            )
        with clock(add_working_days(today, -12), hour=10):
            services.abuse_explain(
                proposal=proposal,
                actor=author,
                text=(
                    "Tổ hợp tác được chọn theo đề nghị của thôn; tôi không biết người đứng tên là "
                    "người thân của vợ tôi. Mức thu theo phương án đã được duyệt."
                ),
            )
        with clock(add_working_days(today, -2), hour=15):
            services.proposal_conclude_abuse(
                proposal=proposal,
                actor=inspector,
                finding="founded",
                conclusion=(
                    "Đủ căn cứ kết luận tác giả lợi dụng việc thí điểm để giao chợ cho người "
                    "thân thu phí vượt mức, không nộp đủ ngân sách: không được bảo vệ; chuyển cơ "
                    "quan có thẩm quyền xem xét trách nhiệm theo quy định."
                ),
            )
        return
    if s.story == "evaluating":
        with clock(add_working_days(ended, 3), hour=8):
            proposals.opinion_record(
                proposal=proposal,
                actor=demo_user(s.slug, "party"),
                stage="evaluation",
                stance="agree",
                text="Cấp ủy đánh giá cao kết quả, đề nghị tổng kết để nhân rộng.",
                **committee_reference(s.slug, 200 + proposal.pk),
            )
        # The deputies have voted on the outcome; the head's ballot and the record are to come.
        with clock(add_working_days(ended, 4), hour=9):
            collective = voting_collective(Proposal.objects.get(pk=proposal.pk))
            deputies = User.objects.filter(pk__in=collective.eligible - collective.heads)
            for voter in deputies.order_by("pk"):
                evaluation.evaluation_ballot_cast(proposal=proposal, actor=voter, choice="achieved")
        return
    evaluated_on = add_working_days(ended, 5)
    outcome = s.extra.get("outcome", "achieved")
    if s.story == "responsibility_review":
        outcome = "not_achieved"
    _evaluate(
        proposal,
        slug=s.slug,
        day=evaluated_on,
        outcome=outcome,
        objective=s.extra.get("causes_objective", OBJECTIVE),
    )
    if "decision" in s.extra:
        criteria = {
            "followed_approved_plan": True,
            "pure_motive": True,
            "common_interest": True,
            "no_personal_gain": s.extra.get("no_personal_gain", True),
        }
        with clock(add_working_days(evaluated_on, 8), hour=14):
            services.proposal_decide_responsibility(
                proposal=proposal,
                actor=head,
                decision=s.extra["decision"],
                damage=s.extra["damage"],
                damage_amount=s.extra.get("damage_amount"),
                reasons=(
                    "Tập thể lãnh đạo xác định cán bộ thực hiện đúng kế hoạch được phê duyệt, vì "
                    "lợi ích chung; kết quả chưa đạt do nguyên nhân khách quan là chủ yếu."
                    if criteria["no_personal_gain"]
                    else "Cán bộ có dấu hiệu vụ lợi trong lựa chọn đối tác: không được bảo vệ."
                ),
                **criteria,
            )
    if "per_author" in s.extra:
        _decide_per_author(proposal, s, head, evaluated_on)
    if outcome == "achieved":
        _recognise(proposal, s, add_working_days(evaluated_on, 3))
    if s.story == "replicated":
        _replicate(proposal, s, add_working_days(evaluated_on, 6), today)
    if s.story == "institutionalized":
        with clock(add_working_days(evaluated_on, 10)):
            services.proposal_institutionalize(
                proposal=proposal,
                actor=User.objects.get(username="tinh.orgboard"),
                title="Quy định về đặt hàng nhiệm vụ khoa học và công nghệ cấp tỉnh",
                issuing_level="province",
            )
    if s.lessons:
        with clock(add_working_days(evaluated_on, 12)):
            services.lesson_publish(proposal=proposal, actor=head, lessons=s.lessons)
    if s.story == "abuse_review":
        # Suspected abuse discovered after success: the case is heard, the finding is pending.
        with clock(add_working_days(today, -2)):
            services.proposal_refer_abuse(
                proposal=proposal,
                actor=demo_user(s.slug, "inspector"),
                grounds=(
                    "Phản ánh của người dân về việc lựa chọn nhà cung cấp phần mềm có liên quan "
                    "đến tác giả (Nghị định 73/2023/NĐ-CP, Điều 6)."
                ),
                evidence="Đơn phản ánh ngày gần nhất và hồ sơ lựa chọn nhà cung cấp.",
            )


def _decide_per_author(proposal, s, head, evaluated_on):
    """Each author explains, the head decides on each (different outcomes), and both complain: the
    head rejects the complaint of the author not eligible for protection and finds the other's
    founded, revising the decision on them."""
    explanations = {
        "cadre2": "Tôi thực hiện đúng kế hoạch được duyệt; nhà thầu chậm do thiếu nhân lực.",
        "cadre3": "Tôi giới thiệu nhà thầu vì năng lực, không biết có vốn góp của người thân.",
    }
    with clock(add_working_days(evaluated_on, 2), hour=9):
        for suffix in s.extra["per_author"]:
            responsibility.responsibility_explain(
                proposal=proposal, actor=demo_user(s.slug, suffix), text=explanations[suffix]
            )
    with clock(add_working_days(evaluated_on, 8), hour=14):
        for suffix, choice in s.extra["per_author"].items():
            protected = choice["no_personal_gain"]
            responsibility.proposal_decide_responsibility(
                proposal=proposal,
                actor=head,
                author=demo_user(s.slug, suffix),
                decision=choice["decision"],
                followed_approved_plan=True,
                pure_motive=protected,
                common_interest=True,
                no_personal_gain=protected,
                damage=True,
                damage_amount=120_000_000,
                reasons=(
                    "Thực hiện đúng kế hoạch, vì lợi ích chung; thiệt hại do nhà thầu chậm tiến độ."
                    if protected
                    else "Có vốn góp của người thân trong nhà thầu được giới thiệu: không đủ điều "
                    "kiện được bảo vệ; trách nhiệm được xem xét theo quy định."
                ),
            )
    with clock(add_working_days(evaluated_on, 10), hour=9):
        responsibility.complaint_file(
            proposal=proposal,
            actor=demo_user(s.slug, "cadre3"),
            text="Tôi không được hưởng lợi từ hợp đồng; đề nghị xem xét lại.",
        )
        responsibility.complaint_file(
            proposal=proposal,
            actor=demo_user(s.slug, "cadre2"),
            text=(
                "Tôi đã báo cáo kịp thời việc nhà thầu chậm tiến độ và đề xuất dừng hợp đồng theo "
                "đúng kế hoạch; đề nghị được miễn trách nhiệm."
            ),
        )
    with clock(add_working_days(evaluated_on, 12), hour=10):
        # A complex case: the relative's share in the contractor has to be checked at another
        # agency, so the head takes 45 days instead of 30 (Law on Complaints, Art. 28).
        responsibility.complaint_extend(
            proposal=proposal,
            actor=head,
            author=demo_user(s.slug, "cadre3").pk,
            reason="Cần xác minh hồ sơ đăng ký doanh nghiệp của nhà thầu tại Sở Tài chính.",
        )
    with clock(add_working_days(evaluated_on, 14), hour=15):
        # One complaint rejected, the other founded: the decision on that author is revised
        # (the first decision is kept, superseded).
        responsibility.complaint_resolve(
            proposal=proposal,
            actor=head,
            author=demo_user(s.slug, "cadre3").pk,
            resolution="upheld",
            text="Hồ sơ đăng ký doanh nghiệp cho thấy người thân góp 30% vốn: giữ nguyên.",
        )
        responsibility.complaint_resolve(
            proposal=proposal,
            actor=head,
            author=demo_user(s.slug, "cadre2").pk,
            resolution="accepted",
            text="Biên bản giao ban cho thấy đồng chí đã báo cáo, đề xuất dừng hợp đồng đúng hạn.",
            decision="exempted",
            followed_approved_plan=True,
            pure_motive=True,
            common_interest=True,
            no_personal_gain=True,
            damage=True,
            damage_amount=120_000_000,
            reasons=(
                "Đã báo cáo kịp thời và đề xuất biện pháp khắc phục theo kế hoạch được duyệt; "
                "thiệt hại do nhà thầu: miễn trách nhiệm."
            ),
        )


def _recognise(proposal, s, day):
    # The organization board proposes; the standing committee of the Party committee decides
    # (the Bình Định plan, III.2–3): praise for every author approved, and a second request
    # approved too, except for the model that has just succeeded, where it awaits the decision.
    board = User.objects.get(username="ubnd.orgboard")
    standing = User.objects.get(username="tinh.standing")
    with clock(day):
        praise = board_requests.recognition_propose(
            proposal=proposal,
            actor=board,
            kind="praise",
            grounds="Biểu dương tại hội nghị cán bộ, công chức.",
        )
        board_requests.board_request_decide(
            board_request=praise, actor=standing, decision="approve"
        )
        asked = board_requests.recognition_propose(
            proposal=proposal,
            actor=board,
            kind="early_salary_raise" if s.story == "replicated" else "excellent_rating",
            recipients=[demo_user(s.slug, s.author)],
            grounds="Mô hình đạt và vượt các chỉ tiêu đề ra; tác giả trực tiếp tổ chức thực hiện.",
        )
        if s.story == "succeeded":
            return
        board_requests.board_request_decide(
            board_request=asked,
            actor=standing,
            decision="approve",
            reason="Ban Thường vụ thống nhất theo đề nghị của Ban Tổ chức.",
        )


def _replicate(source, s, day, today):
    board = User.objects.get(username="ubnd.orgboard")
    with clock(day):
        # Proposed by the organization board, directed by the standing committee.
        asked = board_requests.replication_propose(
            proposal=source,
            actor=board,
            target_units=[demo_unit("xtuyphuoc").pk, demo_unit("xphucat").pk],
            grounds="Hai xã có điều kiện tương đồng về dân số và khối lượng hồ sơ.",
        )
        directed = board_requests.board_request_decide(
            board_request=asked,
            actor=User.objects.get(username="tinh.standing"),
            decision="approve",
        )
    # Phù Cát already ran it and evaluated it, so the KPIs compare; Tuy Phước is ready to start.
    adoption = Proposal.objects.get(origin=source, home_unit=demo_unit("xphucat"))
    head = demo_user("xphucat", "head")
    # The commune's head is its author: the head of the People's Committee of the province (the
    # adoption's deciding unit) supervises the work (nobody supervises their own proposal).
    supervisor = demo_user("ubnd", "head")
    finals = {"Thời gian xử lý hồ sơ": "6", "Tỷ lệ hồ sơ nộp trực tuyến": "88"}
    end = add_working_days(today, -10)
    _run_pilot(
        adoption,
        head=supervisor,
        completer=supervisor,
        author=head,
        # The directive approved the adoption: whoever directed it co-signs the plan.
        cosigner=directed.decided_by,
        kpis=_kpis(s),
        finals=finals,
        start=day + datetime.timedelta(days=3),
        end=end,
        monitors=[demo_user("xphucat", "inspector")],
    )
    # The commune's head implemented it: the People's Committee of the province (its superior
    # unit, the adoption's deciding unit) evaluates it.
    _evaluate(adoption, slug="ubnd", day=add_working_days(end, 4), outcome="achieved")


def seed(context: dict) -> None:
    today = timezone.localdate()
    created = []
    for scenario in SCENARIOS:
        if Proposal.objects.filter(title=scenario.title, origin__isnull=True).exists():
            continue
        _play(scenario, today)
        created.append(scenario.title)
    context["reviews"] = created
