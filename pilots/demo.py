"""Demo pilots, created through the services (proposals' to get them approved, then this app's), so
that their ledgers are real: two in progress (one with late and missing progress reports), one
suspended after a serious inspection, one ended and awaiting its final report, one terminated early
whose final report is overdue, and one whose final report is in (under evaluation).

The work happened over the past months: the clock is set back while each step runs, so the dates,
the late flags and the ledger agree. Idempotent: a pilot whose title exists is left alone."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from proposals.demo import approved_by_collective, clock, demo_user, dossier
from proposals.models import Mode, Proposal
from workdays.calendar import add_working_days

from . import services
from .models import ImplementationPlan
from .planning import to_date


@dataclass
class Pilot:
    slug: str
    author: str
    title: str
    field: str
    bottleneck: str
    result: str
    kpis: list
    started_days_ago: int
    months: int
    story: str  # on_time, late, suspended, completed, terminated, final_report
    mode: str = Mode.PILOT
    budget: int = 300_000_000
    milestones: list = field(default_factory=list)


PILOTS = [
    Pilot(
        "snv",
        "cadre1",
        "Thí điểm chấm điểm chỉ số cải cách hành chính trực tuyến",
        "administrative_reform",
        "Việc chấm điểm chỉ số cải cách hành chính làm thủ công, mất 2 tháng mỗi năm.",
        "Chấm điểm trực tuyến, công bố kết quả trong 15 ngày.",
        [
            ("Thời gian hoàn thành chấm điểm", "ngày", 60, 15, "lower"),
            ("Tỷ lệ đơn vị tự chấm trực tuyến", "%", 0, 100, "higher"),
        ],
        started_days_ago=150,
        months=9,
        story="late",
        milestones=["Xây dựng bộ tiêu chí", "Vận hành phần mềm", "Sơ kết"],
    ),
    Pilot(
        "stc",
        "cadre3",
        "Thí điểm biên lai điện tử thu phí, lệ phí tại bộ phận một cửa",
        "finance",
        "Biên lai giấy phải in, ký, lưu trữ thủ công; đối soát chậm.",
        "100% khoản thu phí, lệ phí tại một cửa dùng biên lai điện tử.",
        [
            ("Tỷ lệ biên lai điện tử", "%", 10, 100, "higher"),
            ("Thời gian đối soát cuối ngày", "phút", 90, 20, "lower"),
        ],
        started_days_ago=75,
        months=6,
        story="on_time",
        milestones=["Kết nối phần mềm kế toán", "Tập huấn cán bộ một cửa", "Đánh giá"],
    ),
    Pilot(
        "skhcn",
        "cadre3",
        "Thí điểm sàn giao dịch công nghệ trực tuyến cấp tỉnh",
        "digital_transformation",
        "Doanh nghiệp khó tìm công nghệ phù hợp; kết nối cung cầu còn rời rạc.",
        "50 giao dịch công nghệ thành công trong năm đầu.",
        [
            ("Số giao dịch thành công", "giao dịch", 0, 50, "higher"),
            ("Số doanh nghiệp tham gia", "doanh nghiệp", 5, 120, "higher"),
        ],
        started_days_ago=100,
        months=12,
        story="suspended",
        milestones=["Ra mắt sàn", "Kết nối viện, trường", "Sơ kết 6 tháng"],
    ),
    Pilot(
        "xtuyphuoc",
        "cadre3",
        "Thí điểm tổ công nghệ số cộng đồng hỗ trợ người dân làm thủ tục",
        "digital_transformation",
        "Người dân nông thôn chưa quen nộp hồ sơ trực tuyến, phải đi lại nhiều lần.",
        "70% hồ sơ của xã được nộp trực tuyến.",
        [
            ("Tỷ lệ hồ sơ nộp trực tuyến", "%", 12, 70, "higher"),
            ("Số lượt người dân được hỗ trợ", "lượt", 0, 1500, "higher"),
        ],
        started_days_ago=190,
        months=6,
        story="completed",
        milestones=["Thành lập tổ", "Hỗ trợ tại thôn", "Tổng kết"],
    ),
    Pilot(
        "xphucat",
        "cadre3",
        "Thí điểm thu gom rác thải có phân loại tại nguồn",
        "land_environment",
        "Rác thải chưa được phân loại, chi phí xử lý cao, bãi chôn lấp quá tải.",
        "Giảm 30% khối lượng rác phải chôn lấp.",
        [
            ("Khối lượng rác chôn lấp mỗi tháng", "tấn", 120, 84, "lower"),
            ("Tỷ lệ hộ phân loại rác", "%", 5, 60, "higher"),
        ],
        started_days_ago=130,
        months=8,
        story="terminated",
        milestones=["Cấp thùng phân loại", "Tuyên truyền", "Đánh giá"],
    ),
    Pilot(
        "snv",
        "cadre2",
        "Triển khai hồ sơ cán bộ điện tử liên thông",
        "organisation",
        "Hồ sơ cán bộ lưu giấy ở nhiều nơi, cập nhật chậm, khó tra cứu.",
        "100% hồ sơ cán bộ được số hóa và cập nhật trực tuyến.",
        [
            ("Tỷ lệ hồ sơ được số hóa", "%", 20, 100, "higher"),
            ("Thời gian tra cứu một hồ sơ", "phút", 30, 2, "lower"),
        ],
        started_days_ago=200,
        months=6,
        story="final_report",
        mode=Mode.IMPLEMENTATION,
        milestones=["Số hóa hồ sơ", "Liên thông dữ liệu", "Nghiệm thu"],
    ),
]


def _dossier(pilot: Pilot) -> dict:
    return dossier(
        field=pilot.field,
        bottleneck=pilot.bottleneck,
        result=pilot.result,
        summary=f"{pilot.title}: tháo gỡ điểm nghẽn và đo kết quả bằng chỉ tiêu cụ thể.",
        timeline=f"{pilot.months} tháng, báo cáo tiến độ hằng tháng.",
    )


def _approve(pilot: Pilot, day) -> Proposal:
    return approved_by_collective(
        slug=pilot.slug,
        author=pilot.author,
        title=pilot.title,
        fields=_dossier(pilot),
        decided_on=day,
        mode=pilot.mode,
    )


def _monitors(slug) -> list[User]:
    """The unit's own inspector and the inspector of the People's Committee above it."""
    return [demo_user(slug, "inspector"), User.objects.get(username="ubnd.inspector")]


def _plan(pilot: Pilot, proposal, start, end):
    head = demo_user(pilot.slug, "head")
    span = (end - start).days
    milestones = [
        {"name": name, "due_date": start + datetime.timedelta(days=span * (i + 1) // 3)}
        for i, name in enumerate(pilot.milestones)
    ]
    kpis = [
        {"name": name, "unit": unit, "baseline": base, "target": target, "direction": direction}
        for name, unit, base, target, direction in pilot.kpis
    ]
    services.plan_save(
        proposal=proposal,
        actor=head,
        start_date=start,
        end_date=end,
        reporting_cadence="monthly",
        budget_amount=pilot.budget,
        budget_details="Chi thường xuyên năm 2026 của đơn vị; không phát sinh biên chế.",
        people="Tổ công tác 3 cán bộ; lãnh đạo đơn vị trực tiếp chỉ đạo.",
        equipment="Máy tính, đường truyền và phần mềm dùng chung của tỉnh.",
        risk_declaration=(
            "Rủi ro: người dân, cán bộ chưa quen cách làm mới; dữ liệu chưa đầy đủ. "
            "Biện pháp: tập huấn, triển khai từng bước, báo cáo hằng tháng, dừng khi phát hiện "
            "sai phạm."
        ),
        monitors=_monitors(pilot.slug),
        milestones=milestones,
        kpis=kpis,
    )
    services.plan_cosign(proposal=proposal, actor=head)
    services.pilot_start(proposal=proposal, actor=head)


def _value(kpi, progress: float) -> Decimal:
    """A reported value `progress` of the way from the baseline to the target."""
    value = kpi.baseline + (kpi.target - kpi.baseline) * Decimal(str(progress))
    return value.quantize(Decimal("0.1"))


def _reports(pilot: Pilot, proposal, today, *, until=None):
    """Files the reports of the periods that have ended: on time, or in the "late" story every
    second one late and the latest one due not at all (so it is overdue)."""
    plan = ImplementationPlan.objects.get(proposal=proposal)
    kpis = list(plan.kpis.filter(retired=False))
    last = until or today
    periods = [p for p in plan.schedule if to_date(p["end"]) < last]
    author = demo_user(pilot.slug, pilot.author)
    if pilot.story == "late":
        # From the latest period already due on, nothing is filed: that report is overdue.
        due_already = [i for i, p in enumerate(periods) if to_date(p["due"]) < today]
        periods = periods[: due_already[-1]] if due_already else periods
    for index, period in enumerate(periods):
        end, due = to_date(period["end"]), to_date(period["due"])
        late = pilot.story == "late" and index % 2 == 1
        day = add_working_days(due, 3) if late else add_working_days(end, 1)
        if day >= today:
            break
        progress = (index + 1) / (len(plan.schedule) + 1)
        with clock(day, hour=15):
            services.report_file(
                proposal=proposal,
                actor=author,
                period=period["period"],
                narrative=(
                    f"Kỳ {period['period']}: triển khai đúng kế hoạch; đã hoàn thành các việc "
                    "của kỳ, ghi nhận phản hồi của người dân và điều chỉnh quy trình."
                ),
                kpi_values=[{"kpi": k.pk, "value": _value(k, progress)} for k in kpis],
            )
    return plan


def _inspect(pilot, proposal, day, assessment, findings, recommendations=""):
    with clock(day, hour=10):
        services.inspection_record(
            proposal=proposal,
            actor=demo_user(pilot.slug, "inspector"),
            date=day,
            findings=findings,
            recommendations=recommendations,
            assessment=assessment,
        )


def _run(pilot: Pilot, today):
    approved_on = add_working_days(today, -(pilot.started_days_ago // 7 * 5 + 5))
    start = approved_on + datetime.timedelta(days=3)
    end = start + datetime.timedelta(days=30 * pilot.months)
    proposal = _approve(pilot, approved_on)
    head, author = demo_user(pilot.slug, "head"), demo_user(pilot.slug, pilot.author)
    with clock(start):
        _plan(pilot, proposal, start, end)
    ended_on = None
    if pilot.story in ("completed", "final_report"):
        ended_on = add_working_days(today, -2 if pilot.story == "completed" else -12)
        end = ended_on
    elif pilot.story == "terminated":
        ended_on = add_working_days(today, -9)
    plan = _reports(pilot, proposal, today, until=ended_on)
    middle = start + (min(today, ended_on or today) - start) / 2
    if pilot.story == "suspended":
        _inspect(
            pilot,
            proposal,
            add_working_days(today, -6),
            "serious",
            "Một số giao dịch trên sàn chưa được thẩm định pháp lý về sở hữu trí tuệ.",
            "Tạm dừng tiếp nhận giao dịch mới cho đến khi có quy trình thẩm định.",
        )
        with clock(add_working_days(today, -5)):
            services.pilot_suspend(
                proposal=proposal,
                actor=head,
                reason="Theo kiến nghị của kiểm tra: hoàn thiện quy trình thẩm định giao dịch.",
            )
        return
    _inspect(
        pilot,
        proposal,
        middle,
        "good" if pilot.story != "terminated" else "concerns",
        "Triển khai đúng kế hoạch được duyệt; hồ sơ, sổ sách đầy đủ.",
        "Tiếp tục theo dõi chỉ tiêu hằng tháng.",
    )
    if pilot.story == "late":
        with clock(middle + datetime.timedelta(days=7)):
            adjustment = services.adjustment_request(
                proposal=proposal,
                actor=author,
                reasons="Phần mềm bàn giao chậm 1 tháng; đề nghị lùi ngày kết thúc.",
                changes={"end_date": plan.end_date + datetime.timedelta(days=30)},
            )
        with clock(middle + datetime.timedelta(days=9)):
            services.adjustment_approve(
                adjustment=adjustment, actor=head, reasons="Đồng ý lùi 1 tháng."
            )
    if ended_on is None:
        return
    with clock(ended_on, hour=16):
        if pilot.story == "terminated":
            services.pilot_terminate(
                proposal=proposal,
                actor=head,
                reason="Chi phí vận hành vượt dự kiến; tạm thời chưa đủ điều kiện tiếp tục.",
            )
        else:
            services.pilot_complete(proposal=proposal, actor=author)
    if pilot.story != "final_report":
        return
    kpis = list(ImplementationPlan.objects.get(pk=plan.pk).kpis.filter(retired=False))
    with clock(add_working_days(ended_on, 4), hour=11):
        services.pilot_submit_final_report(
            proposal=proposal,
            actor=author,
            report=(
                "Đã hoàn thành kế hoạch được duyệt: số hóa toàn bộ hồ sơ cán bộ, liên thông dữ "
                "liệu với phần mềm quản lý của tỉnh. Chỉ tiêu thời gian tra cứu đạt; tỷ lệ số "
                "hóa đạt 96%, còn hồ sơ của cán bộ nghỉ hưu chưa số hóa."
            ),
            kpi_values=[{"kpi": k.pk, "value": _value(k, 0.95)} for k in kpis],
        )


def seed(context: dict) -> None:
    today = timezone.localdate()
    created = []
    for pilot in PILOTS:
        if Proposal.objects.filter(title=pilot.title).exists():
            continue
        _run(pilot, today)
        created.append(pilot.title)
    context["pilots"] = created
