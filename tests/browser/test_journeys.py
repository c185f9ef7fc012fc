"""One journey per role, by mouse, through the whole life of a proposal (issue 10.4).

Each test signs in as one person and walks that role's part of a proposal's life by clicking
visible controls only (tests/browser/journey.py checks each control is visible with a non-zero
box first; typing goes only into visible fields); the other roles' steps in between are done
through the services, as those people would have done them on their own pages. Every page the
journey reaches is checked: no sideways scrolling, no serious or critical axe-core violation.
KL14_JOURNEY_SHOTS=<dir> keeps a screenshot of each step as <dir>/<role>/<NN>-<step>.png.
The standing committee's and the unit admin's journeys follow (issue 14). The user guide's
screenshots are steps of these journeys: each journey fails when it no longer reaches one, and
`KL14_GUIDE_SHOTS=static/guide` regenerates them (README, "User guide")."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilots import services as pilots
from pilots.models import ImplementationPlan
from proposals import services as proposals
from proposals.models import Proposal, State
from reviews import board_requests
from reviews import services as reviews
from tests.factories.pilots import started
from tests.factories.proposals import (
    CONDITIONS_MET,
    PLAN,
    ProposalFactory,
    committee_reference,
    fresh,
)
from tests.factories.reviews import MINUTES_PDF, collective_votes, minutes
from tests.factories.units import grant
from units.models import Role

from .conftest import CONDITION_LABELS, PASSWORD
from .journey import Journey

pytestmark = pytest.mark.browser

TITLE = "Tiếp nhận hồ sơ đất đai trực tuyến tại xã"
SECTIONS = {
    "Điểm nghẽn, nút thắt cần tháo gỡ": PLAN["bottleneck"],
    "Sự cần thiết, mục đích, yêu cầu": PLAN["purpose"],
    "Nội dung, nhiệm vụ, giải pháp": PLAN["content"],
    "Phạm vi": PLAN["scope"],
    "Người thực hiện": PLAN["implementers"],
    "Thời gian thực hiện": PLAN["timeline"],
    "Nguồn lực": PLAN["resources"],
    "Tính khả thi": PLAN["feasibility"],
    "Tác động tích cực và tiêu cực": PLAN["impact"],
    "Hiệu quả dự kiến": PLAN["expected_results"],
}
CRITERIA = [
    "Tháo gỡ điểm nghẽn, nút thắt trong cơ chế, chính sách",
    "Vì lợi ích chung",
    "Đáp ứng yêu cầu cấp bách của thực tiễn, không gây hại",
    "Thúc đẩy đổi mới, cải cách",
    "Tôi cam kết không có vụ lợi cá nhân trong đề xuất này",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cast(tree):
    """The people of one proposal's life: the agency (home and deciding unit) and the province
    above it (inspection, organization board), a commune for replication."""
    agency, province = tree["agency"], tree["province"]
    return {
        "agency": agency,
        "province": province,
        "commune": tree["commune"],
        "cadre": grant(agency, Role.CADRE, username="canbo", full_name="Trần Thị Bình"),
        "head": grant(agency, Role.HEAD, username="giamdoc", full_name="Nguyễn Văn An"),
        "deputy1": grant(agency, Role.DEPUTY, username="phogd1", full_name="Lê Văn Cường"),
        "deputy2": grant(agency, Role.DEPUTY, username="phogd2", full_name="Phạm Thị Dung"),
        "party": grant(agency, Role.PARTY_COMMITTEE, username="capuy", full_name="Hoàng Văn Em"),
        "inspector": grant(province, Role.INSPECTOR, username="kiemtra", full_name="Lê Thị Kiểm"),
        "board": grant(
            province, Role.ORGANIZATION_BOARD, username="bantochuc", full_name="Vũ Văn Tổ"
        ),
    }


def open_page(chromium_browser, live_server, viewport):
    context = chromium_browser.new_context(
        locale="vi-VN",
        base_url=live_server.url,
        viewport=viewport,
        is_mobile=viewport["width"] < 600,
        has_touch=viewport["width"] < 600,
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def journey(chromium_browser, live_server, transactional_db):
    """`journey(role, username, viewport=DESKTOP)`: a fresh browser signed in through the form,
    as a Journey; closed at the end of the test."""
    contexts = []

    def start(role, username, viewport=DESKTOP):
        context, page = open_page(chromium_browser, live_server, viewport)
        contexts.append(context)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        j = Journey(page, role)
        j.errors = errors
        page.goto("/accounts/login/")
        j.arrive("sign-in")
        j.fill(page.get_by_label("Tên đăng nhập"), username)
        j.fill(page.get_by_label("Mật khẩu"), PASSWORD)
        j.click(page.locator("form[action='/accounts/login/'] [type=submit]"))
        expect(page).to_have_url(f"{live_server.url}/")
        j.arrive("home")
        return j

    yield start
    for context in contexts:
        context.close()
    for j in Journey.ledger[-len(contexts) :] if contexts else []:
        print(j.report())
        assert not j.errors, f"{j.role}: JavaScript errors {j.errors}"
        # The user guide shows these steps (guide/content.py): the journey must still reach them.
        assert not j.missing_guide_shots(), (
            f"{j.role}: the user guide shows steps this journey no longer reaches: "
            f"{sorted(j.missing_guide_shots())}"
        )


def menu(j, group, item):
    """Opens a navigation entry with the mouse: the menu button first on a phone (collapsed bar)
    and for grouped entries."""
    page = j.page
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    toggler = nav.get_by_role("button", name="Mở/đóng menu")
    if toggler.is_visible():
        j.click(toggler)
    link = nav.get_by_role("link", name=re.compile(item))
    if not link.is_visible():
        j.click(nav.get_by_role("button", name=re.compile(f"^{group}")))
    j.click(link)


def others_approve(cast, proposal):
    """The head opens the review, the collective votes, the Party committee gives its opinion,
    the head approves it as a pilot: their own journeys do this by mouse."""
    if fresh(proposal).state == State.SUBMITTED:
        proposals.proposal_open_review(proposal=fresh(proposal), actor=cast["head"])
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=cast["party"],
        stage="decision",
        stance="agree",
        text="Cấp ủy đồng ý chủ trương thí điểm.",
        **committee_reference(),
    )
    for voter in (cast["head"], cast["deputy1"], cast["deputy2"]):
        proposals.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
    proposals.proposal_approve(
        proposal=fresh(proposal), actor=cast["head"], mode="pilot", **CONDITIONS_MET
    )
    return fresh(proposal)


def evaluate(cast, proposal, outcome="achieved"):
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=cast["party"],
        stage="evaluation",
        stance="agree",
        text="Cấp ủy nhất trí với báo cáo kết quả.",
        **committee_reference(),
    )
    collective_votes(proposal, outcome)
    reviews.proposal_evaluate(
        proposal=fresh(proposal),
        actor=cast["head"],
        outcome=outcome,
        causes_objective="Hạ tầng mạng chưa ổn định.",
        causes_subjective="Cán bộ chưa quen quy trình mới.",
        meeting_date=timezone.localdate(),
        minutes=minutes(),
    )
    return fresh(proposal)


def write_and_submit(j, cast):
    page = j.page
    menu(j, "Đề xuất", "Đề xuất của tôi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề xuất của tôi")
    j.arrive("my-proposals")
    j.click(page.get_by_role("link", name="Viết đề xuất mới").first)
    j.arrive("new-proposal")
    j.fill(page.get_by_label("Tên đề xuất"), TITLE)
    j.fill(page.get_by_label("Tóm tắt"), PLAN["summary"])
    j.choose(page.get_by_label("Lĩnh vực"), label="Cải cách hành chính")
    j.check(page.get_by_label("Đã có quy định nhưng không còn phù hợp với thực tiễn"))
    for label, text in SECTIONS.items():
        j.fill(page.get_by_label(label, exact=True), text)
    for label in CRITERIA:
        j.check(page.get_by_label(label))
    j.click(page.get_by_role("button", name="Lưu và trình"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status").first).to_contain_text("Đã trình đề xuất")
    j.arrive("submitted")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.state == State.SUBMITTED
    return proposal


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x900", "390x844"])
def test_the_cadre_journey(journey, cast, viewport):
    """Write and submit the proposal; follow it; report progress; complete the work after
    reading what is still open; submit the final report; read the outcome and the timeline."""
    j = journey("cadre", "canbo", viewport)
    if viewport is PHONE:
        j.role = "cadre-phone"
    page = j.page
    proposal = write_and_submit(j, cast)

    proposal = others_approve(cast, proposal)
    started(proposal, head=cast["head"], monitors=[cast["inspector"]])

    # The timeline of the approved proposal reads in Vietnamese.
    page.reload()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Đã phê duyệt")
    expect(timeline).to_contain_text("Thí điểm")
    expect(timeline).not_to_contain_text("pilot")
    j.arrive("approved")
    j.click(page.get_by_role("link", name="Kế hoạch triển khai, tiến độ và kiểm tra"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    j.arrive("pilot")

    # A progress report: the first try forgets the narrative and is told so.
    j.click(page.get_by_text("Nộp báo cáo tiến độ", exact=True))
    form = page.locator("#report-form")
    j.fill(form.get_by_label("Thời gian giải quyết hồ sơ (ngày)"), "25")
    j.click(form.get_by_role("button", name="Nộp báo cáo"))
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("#report-form").get_by_role("alert").first).to_contain_text("chưa được nộp")
    j.arrive("report-refused")
    form = page.locator("#report-form")
    j.fill(form.get_by_label("Kết quả thực hiện trong kỳ"), "Đã khảo sát hiện trạng 12 xã.")
    j.fill(form.get_by_label("Tỷ lệ hồ sơ trực tuyến (%)"), "12")
    j.click(form.get_by_role("button", name="Nộp báo cáo"))
    expect(page.get_by_role("status").first).to_contain_text("Đã nộp báo cáo tiến độ")
    j.arrive("report-filed")

    # Completing the work is a quiet button before the planned end, and asks for confirmation
    # after saying what is still open.
    complete = page.get_by_role("link", name="Kết thúc thực hiện", exact=True)
    expect(complete).to_have_class(re.compile("btn-outline-secondary"))
    j.click(complete)
    open_work = page.locator("#transition-consequences")
    expect(open_work).to_contain_text("báo cáo tiến độ chưa được nộp")
    expect(open_work).to_contain_text("Mốc công việc chưa hoàn thành")
    j.arrive("complete-confirm")
    j.click(page.get_by_role("button", name="Có: Kết thúc thực hiện"))
    expect(page.get_by_role("checkbox")).to_have_attribute("aria-invalid", "true")
    assert fresh(proposal).state == State.IN_PROGRESS
    j.check(page.get_by_role("checkbox"))
    j.click(page.get_by_role("button", name="Có: Kết thúc thực hiện"))
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện: Kết thúc thực hiện")
    j.arrive("completed")
    assert fresh(proposal).state == State.ENDED

    # The final report.
    j.click(page.get_by_role("link", name="Nộp báo cáo kết quả cuối cùng"))
    j.arrive("final-report")
    j.fill(page.get_by_label("Báo cáo kết quả cuối cùng"), "Đã số hóa 65% hồ sơ đất đai.")
    j.fill(page.get_by_label("Giá trị cuối cùng: Thời gian giải quyết hồ sơ (ngày)"), "12")
    j.fill(page.get_by_label("Giá trị cuối cùng: Tỷ lệ hồ sơ trực tuyến (%)"), "65")
    j.click(page.get_by_role("button", name="Nộp báo cáo kết quả cuối cùng"))
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện")
    j.arrive("final-report-filed")
    assert fresh(proposal).state == State.EVALUATING

    # The collective evaluates it: achieved. The cadre reads the outcome and the timeline.
    evaluate(cast, proposal)
    j.click(page.get_by_role("link", name="Hồ sơ đề xuất và các quyết định"))
    expect(page.locator("main header .badge").first).to_have_text("Hoàn thành")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Đánh giá kết quả")
    expect(timeline).to_contain_text("Nộp báo cáo tiến độ")
    for raw in ("None", "achieved", "plan_hash", "{"):
        expect(timeline).not_to_contain_text(raw)
    j.arrive("succeeded")
    j.click(page.get_by_role("link", name=re.compile("Đánh giá kết quả, trách nhiệm")))
    j.arrive("review")
    menu(j, "Đánh giá", "Bài học kinh nghiệm")
    j.arrive("lessons")


def submitted_by_cadre(cast):
    proposal = ProposalFactory(home_unit=cast["agency"], created_by=cast["cadre"], title=TITLE)
    proposals.proposal_submit(proposal=fresh(proposal), actor=cast["cadre"])
    return fresh(proposal)


def finished_by_cadre(cast, proposal):
    """The cadre reports, completes the work and files the final report (her own journey does
    this by mouse)."""
    plan = ImplementationPlan.objects.get(proposal=proposal)
    kpis = list(plan.kpis.all())
    pilots.report_file(
        proposal=fresh(proposal),
        actor=cast["cadre"],
        period=1,
        narrative="Kỳ 1: đã khảo sát hiện trạng.",
        kpi_values={k.name: "20" for k in kpis},
    )
    pilots.pilot_complete(proposal=fresh(proposal), actor=cast["cadre"])
    pilots.pilot_submit_final_report(
        proposal=fresh(proposal),
        actor=cast["cadre"],
        report="Đã hoàn thành kế hoạch được duyệt.",
        kpi_values={k.name: "12" if k.direction == "lower" else "65" for k in kpis},
    )
    return fresh(proposal)


def open_from_queue(j, group, item, title=TITLE):
    menu(j, group, item)
    j.arrive(f"queue-{item}")
    j.click(j.page.get_by_role("link", name=title).first)
    expect(j.page.get_by_role("heading", level=1)).to_have_text(title)


def vote_by_mouse(j, choice="Tán thành"):
    votes = j.page.locator("#votes")
    j.check(votes.get_by_label(choice, exact=True))
    j.click(votes.get_by_role("button", name=re.compile("^(Biểu quyết|Thay đổi biểu quyết)$")))
    message = j.page.locator("#votes").get_by_role("status")
    expect(message).to_contain_text(f"Đã ghi nhận biểu quyết của bạn: {choice}")
    expect(message).to_be_in_viewport()


def test_the_head_journey(journey, cast, tmp_path):
    """Open the review, vote, see why approval waits for the Party committee, approve as a
    pilot; prepare the plan with the mouse, co-sign its risks after reading them, start; decide
    an adjustment; see why the evaluation waits; evaluate; publish the lesson."""
    proposal = submitted_by_cadre(cast)
    j = journey("head", "giamdoc")
    page = j.page
    open_from_queue(j, "Đề xuất", "Hồ sơ chờ xử lý")
    j.arrive("submitted")
    j.click(page.get_by_role("link", name="Mở xem xét"))
    panel = page.locator("#action-panel")
    j.click(panel.get_by_role("button", name="Mở xem xét"))
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện: Mở xem xét.")
    j.arrive("under-review")

    # Approval waits for the Party committee: the button says so instead of failing later.
    approve = page.locator("#actions").get_by_role("button", name="Phê duyệt", exact=True)
    expect(approve).to_be_disabled()
    expect(page.locator("#why-not-approve")).to_contain_text("chưa cho ý kiến")
    vote_by_mouse(j)
    j.arrive("voted")

    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=cast["party"],
        stage="decision",
        stance="agree",
        text="Cấp ủy đồng ý chủ trương thí điểm.",
        **committee_reference(),
    )
    for deputy in (cast["deputy1"], cast["deputy2"]):
        proposals.vote_cast(proposal=fresh(proposal), actor=deputy, choice="for")
    page.reload()
    j.click(page.get_by_role("link", name="Phê duyệt", exact=True))
    panel = page.locator("#action-panel")
    expect(panel.locator("#transition-consequences")).to_contain_text("đã biểu quyết thông qua")
    j.choose(panel.get_by_label("Phê duyệt theo hình thức"), label="Thí điểm")
    for condition in CONDITION_LABELS:  # the collective's assessment (Decree 73, Art. 5(1))
        j.choose(panel.get_by_label(condition), label="Đáp ứng")
    j.click(panel.get_by_role("button", name="Phê duyệt", exact=True))
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện: Phê duyệt.")
    j.arrive("approved")

    # The implementation plan, by mouse.
    j.click(page.get_by_role("link", name="Kế hoạch triển khai, tiến độ và kiểm tra"))
    start = page.get_by_role("button", name="Bắt đầu triển khai")
    expect(start).to_be_disabled()
    j.arrive("pilot-before-plan")
    j.click(page.get_by_role("link", name="Lập kế hoạch"))
    j.arrive("plan-form")
    today = timezone.localdate()
    j.fill(page.get_by_label("Ngày bắt đầu"), today.isoformat())
    j.fill(page.get_by_label("Ngày kết thúc"), (today + timedelta(days=180)).isoformat())
    j.fill(page.get_by_label("Kinh phí (đồng)"), "500000000")
    j.fill(page.get_by_label("Nhân lực"), "3 cán bộ Phòng Cải cách hành chính")
    j.fill(page.get_by_label("Trang thiết bị, cơ sở vật chất"), "Máy chủ dùng chung của tỉnh")
    j.check(page.get_by_label("Lê Thị Kiểm"))
    j.fill(
        page.get_by_label("Nhận diện rủi ro và biện pháp kiểm soát"),
        "Rủi ro quá tải hệ thống; triển khai từng đợt.",
    )
    j.fill(page.get_by_label("Mốc công việc 1", exact=True), "Vận hành thử")
    j.fill(page.get_by_label("Hạn 1", exact=True), (today + timedelta(days=60)).isoformat())
    for row, (name, unit, base, target, better) in enumerate(
        [
            ("Thời gian giải quyết hồ sơ", "ngày", "30", "10", "lower"),
            ("Tỷ lệ hồ sơ trực tuyến", "%", "5", "60", "higher"),
        ],
        start=1,
    ):
        j.fill(page.get_by_label(f"Chỉ tiêu {row}", exact=True), name)
        j.fill(page.get_by_label(f"Đơn vị tính {row}", exact=True), unit)
        j.fill(page.get_by_label(f"Giá trị ban đầu {row}", exact=True), base)
        j.fill(page.get_by_label(f"Mục tiêu {row}", exact=True), target)
        j.choose(page.get_by_label(f"Tốt hơn khi {row}", exact=True), value=better)
    j.click(page.get_by_role("button", name="Lưu kế hoạch"))
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu kế hoạch triển khai")
    expect(page.locator("#why-not-start")).to_contain_text("ký xác nhận")
    j.arrive("plan-saved")

    # The co-signature shows the risks first and asks for a tick.
    j.click(
        page.get_by_role(
            "link", name="Ký xác nhận bản nhận diện rủi ro và biện pháp kiểm soát (phiên bản 1)"
        )
    )
    expect(page.get_by_text("Rủi ro quá tải hệ thống")).to_be_visible()
    j.arrive("cosign")
    j.check(page.get_by_label("Tôi đã đọc bản nhận diện rủi ro"))
    j.click(
        page.get_by_role(
            "button", name="Ký xác nhận bản nhận diện rủi ro và biện pháp kiểm soát (phiên bản 1)"
        )
    )
    expect(page.locator("#cosignature")).to_contain_text("Đã ký xác nhận")
    j.arrive("cosigned")
    j.click(page.get_by_role("link", name="Bắt đầu triển khai"))
    j.arrive("start-confirm")
    j.click(page.get_by_role("button", name="Có: Bắt đầu triển khai"))
    expect(page.locator("main header .badge").first).to_have_text("Đang thực hiện")
    j.arrive("started")

    # An adjustment asked by the cadre, approved by the head.
    pilots.adjustment_request(
        proposal=fresh(proposal),
        actor=cast["cadre"],
        reasons="Cần thêm kinh phí tập huấn.",
        changes={"budget_amount": 600_000_000},
    )
    page.reload()
    j.fill(page.get_by_label("Ý kiến (không bắt buộc)"), "Đồng ý bổ sung.")
    j.click(page.get_by_role("button", name="Phê duyệt điều chỉnh"))
    expect(page.get_by_role("status").first).to_be_visible()
    j.arrive("adjustment-approved")

    # The evaluation waits for the Party committee's opinion on the results, then is made.
    proposal = finished_by_cadre(cast, proposal)
    page.goto(proposal.get_absolute_url())
    evaluate_button = page.locator("#actions").get_by_role("button", name="Đánh giá kết quả")
    expect(evaluate_button).to_be_disabled()
    expect(page.locator("#why-not-evaluate")).to_contain_text("chưa cho ý kiến về kết quả")
    j.arrive("evaluation-waits")
    proposals.opinion_record(
        proposal=fresh(proposal),
        actor=cast["party"],
        stage="evaluation",
        stance="agree",
        text="Cấp ủy nhất trí với báo cáo kết quả.",
        **committee_reference(),
    )
    # The collective voted on the outcome at the meeting (Decree 73, Art. 18).
    collective_votes(proposal, "achieved")
    page.reload()
    j.click(page.get_by_role("link", name="Đánh giá kết quả", exact=True))
    panel = page.locator("#action-panel")
    j.choose(panel.get_by_role("combobox"), label="Đạt")
    j.fill(panel.get_by_label("Nguyên nhân khách quan"), "Hạ tầng mạng ổn định.")
    j.fill(panel.get_by_label("Nguyên nhân chủ quan"), "Cán bộ chủ động, sáng tạo.")
    j.fill(panel.get_by_label("Ngày họp đánh giá"), timezone.localdate().isoformat())
    minutes_file = tmp_path / "bien-ban-hop-danh-gia.pdf"
    minutes_file.write_bytes(MINUTES_PDF)
    panel.get_by_label("Biên bản họp đánh giá kết quả").set_input_files(str(minutes_file))
    j.click(panel.get_by_role("button", name="Đánh giá kết quả", exact=True))
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện")
    j.arrive("evaluated")
    assert fresh(proposal).state == State.SUCCEEDED

    # The lesson, for everyone.
    j.click(page.get_by_role("link", name=re.compile("Đánh giá kết quả, trách nhiệm")))
    j.arrive("review")
    lesson = page.locator("#lesson")
    j.fill(lesson.get_by_role("textbox"), "Làm từng bước, lấy người dân làm trung tâm.")
    j.click(lesson.get_by_role("button", name="Công bố vào thư viện bài học kinh nghiệm"))
    expect(page.get_by_role("status").first).to_be_visible()
    j.arrive("lesson-published")


def test_the_deputy_journey(journey, cast):
    """Find the proposal in the vote queue, read it, vote, change the vote; see the decision."""
    proposal = submitted_by_cadre(cast)
    proposals.proposal_open_review(proposal=fresh(proposal), actor=cast["head"])
    j = journey("deputy", "phogd1")
    page = j.page
    menu(j, "Đề xuất", "Chờ biểu quyết")
    # Each ballot says until when it is due: here the decision's own date (Decree 73, Art. 8).
    due = fresh(proposal).decision_due
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("columnheader", name="Hạn biểu quyết")).to_be_visible()
    expect(row.locator("time")).to_have_text(due.strftime("%d/%m/%Y"))
    expect(row.locator("time")).to_be_visible()
    expect(row).not_to_contain_text("Quá hạn")
    j.arrive("queue-Chờ biểu quyết")
    j.click(row.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#dossier")).to_contain_text(PLAN["bottleneck"])
    j.arrive("to-vote")
    vote_by_mouse(j, "Không tán thành")
    j.arrive("voted")
    vote_by_mouse(j, "Tán thành")
    j.arrive("vote-changed")
    others_approve(cast, proposal)
    page.reload()
    expect(page.locator("#timeline")).to_contain_text("Đã phê duyệt")
    j.arrive("decided")


def cite_the_committees_document(j, opinion, number):
    """The reference of the committee's conclusion, every field of it required: the document's
    number and date, who signed it and their title."""
    j.fill(opinion.get_by_label("Số, ký hiệu văn bản của cấp ủy"), number)
    j.fill(opinion.get_by_label("Ngày văn bản"), timezone.localdate().isoformat())
    j.fill(opinion.get_by_label(re.compile("^Người ký")), "Hoàng Văn Em")
    j.fill(opinion.get_by_label("Chức vụ người ký"), "Bí thư Đảng ủy")


def test_the_party_committee_journey(journey, cast):
    """Give the opinion before the decision, then on the results."""
    proposal = submitted_by_cadre(cast)
    proposals.proposal_open_review(proposal=fresh(proposal), actor=cast["head"])
    j = journey("party-committee", "capuy")
    page = j.page
    open_from_queue(j, "Đề xuất", "Chờ cho ý kiến")
    j.arrive("to-opine")
    opinion = page.locator("#opinion")
    j.check(opinion.get_by_label("Đồng ý", exact=True))
    j.fill(opinion.get_by_label("Nội dung ý kiến"), "Đồng ý thí điểm trong 6 tháng.")
    cite_the_committees_document(j, opinion, "45-CV/ĐU")
    j.click(opinion.get_by_role("button", name="Ghi nhận ý kiến"))
    message = page.locator("#opinion").get_by_role("status")
    expect(message).to_contain_text("Đã ghi nhận ý kiến của cấp ủy.")
    expect(message).to_be_in_viewport()
    j.arrive("opinion-given")

    for voter in (cast["head"], cast["deputy1"], cast["deputy2"]):
        proposals.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
    proposals.proposal_approve(
        proposal=fresh(proposal), actor=cast["head"], mode="pilot", **CONDITIONS_MET
    )
    started(proposal, head=cast["head"], monitors=[cast["inspector"]])
    finished_by_cadre(cast, proposal)

    open_from_queue(j, "Đề xuất", "Chờ cho ý kiến")
    opinion = page.locator("#opinion")
    j.check(opinion.get_by_label("Đồng ý", exact=True))
    j.fill(opinion.get_by_label("Nội dung ý kiến"), "Nhất trí với báo cáo kết quả.")
    cite_the_committees_document(j, opinion, "61-CV/ĐU")
    j.click(opinion.get_by_role("button", name="Ghi nhận ý kiến"))
    expect(page.locator("#opinion").get_by_role("status")).to_contain_text("Đã ghi nhận")
    j.arrive("results-opinion-given")


def test_the_inspector_journey(journey, cast):
    """Find the pilot among those monitored, record an inspection choosing the assessment with
    the mouse, read the timeline."""
    proposal = others_approve(cast, submitted_by_cadre(cast))
    started(proposal, head=cast["head"], monitors=[cast["inspector"]])
    j = journey("inspector", "kiemtra")
    page = j.page
    menu(j, "Thí điểm", "Thí điểm tôi theo dõi, kiểm tra")
    j.arrive("monitored")
    expect(page.get_by_role("table")).to_contain_text(TITLE)
    j.click(page.get_by_role("link", name=proposal.code))
    j.arrive("pilot")
    j.click(page.get_by_text("Ghi nhận kết quả kiểm tra", exact=True))
    form = page.locator("#inspection-form")
    j.fill(form.get_by_label("Kết quả kiểm tra"), "Hồ sơ đầy đủ; phần mềm còn chậm.")
    j.fill(form.get_by_label("Kiến nghị"), "Nâng cấp đường truyền.")
    j.check(form.get_by_label("Có vấn đề cần lưu ý"))
    j.click(form.get_by_role("button", name="Ghi nhận"))
    expect(page.get_by_role("status").first).to_contain_text("Đã ghi nhận kết quả kiểm tra")
    j.arrive("inspected")
    j.click(page.get_by_role("link", name="Hồ sơ đề xuất và các quyết định"))
    expect(page.locator("#timeline")).to_contain_text("Có vấn đề cần lưu ý")
    j.arrive("timeline")


def test_the_organization_board_journey(journey, cast):
    """Read the dashboard (its exports cover the period on screen), propose the author's
    recognition and the model's replication in a commune to the competent authority (the board
    decides neither), propose a regulation."""
    proposal = others_approve(cast, submitted_by_cadre(cast))
    started(proposal, head=cast["head"], monitors=[cast["inspector"]])
    evaluate(cast, finished_by_cadre(cast, proposal))
    grant(cast["commune"], Role.HEAD, username="chutich", full_name="Đỗ Văn Xã")
    grant(cast["province"], Role.STANDING_COMMITTEE, username="thuongvu", full_name="Đinh Văn Vụ")
    j = journey("organization-board", "bantochuc")
    page = j.page
    menu(j, "Đánh giá", "Bảng điều hành")
    j.arrive("dashboard")
    # The report of what the screen shows (all time), prepared by a worker, then downloaded.
    j.click(page.get_by_role("button", name="Báo cáo sơ kết, tổng kết (.xlsx)"))
    j.arrive("export")
    ready = page.locator("#export-status")
    expect(ready).to_contain_text("Tệp đã sẵn sàng.")
    with page.expect_download() as download:
        j.click(ready.get_by_role("link", name=re.compile("^Tải về toan-bo-")))
    assert download.value.suggested_filename.startswith("toan-bo-")

    page.goto(f"/reviews/{proposal.pk}/")
    j.arrive("review")
    requests = page.locator("#board-requests")
    j.choose(requests.get_by_label("Hình thức ghi nhận, khuyến khích"), label="Biểu dương")
    j.check(requests.get_by_label("Trần Thị Bình"))
    j.fill(requests.get_by_label("Căn cứ đề nghị"), "Thủ tục rút từ 15 xuống 5 ngày làm việc.")
    j.click(requests.get_by_role("button", name="Gửi đề nghị"))
    expect(page.get_by_role("status").first).to_contain_text("Đã gửi đề nghị")
    expect(page.locator("#recognition")).to_contain_text("Chưa có")
    j.arrive("recognition-proposed")
    assert not proposal.recognitions.exists()

    actions = page.get_by_role("region", name="Thao tác")
    j.click(actions.get_by_role("link", name="Đề nghị nhân rộng"))
    j.arrive("replication")
    j.check(page.get_by_label(cast["commune"].name))
    j.fill(page.get_by_label("Căn cứ đề nghị"), "Xã có điều kiện tương tự.")
    j.click(page.get_by_role("button", name="Gửi đề nghị"))
    expect(page.get_by_role("status").first).to_contain_text("Đã gửi đề nghị")
    j.arrive("replication-proposed")
    assert fresh(proposal).state == State.SUCCEEDED

    page.goto(proposal.get_absolute_url())
    j.click(page.get_by_role("link", name="Đề xuất ban hành văn bản (thể chế hóa)"))
    panel = page.locator("#action-panel")
    j.fill(panel.get_by_label("Văn bản đề xuất ban hành"), "Quy định về một cửa đất đai số")
    j.choose(panel.get_by_label("Cấp ban hành"), label="Cấp tỉnh")
    j.click(panel.get_by_role("button", name="Đề xuất ban hành văn bản (thể chế hóa)"))
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện")
    j.arrive("institutionalised")
    assert fresh(proposal).state == State.INSTITUTIONALIZED


def test_the_standing_committee_journey(journey, cast):
    """Follow a proposal of the subtree to its results: the proposal's page, its evaluation and
    recognition, the lessons library; decide the replication the organization board proposed."""
    proposal = others_approve(cast, submitted_by_cadre(cast))
    started(proposal, head=cast["head"], monitors=[cast["inspector"]])
    evaluate(cast, finished_by_cadre(cast, proposal))
    grant(cast["commune"], Role.HEAD, username="chutich", full_name="Đỗ Văn Xã")
    grant(cast["province"], Role.STANDING_COMMITTEE, username="thuongvu", full_name="Đinh Văn Vụ")
    board_requests.replication_propose(
        proposal=fresh(proposal),
        actor=cast["board"],
        target_units=[cast["commune"]],
        grounds="Xã có điều kiện tương tự.",
    )
    j = journey("standing-committee", "thuongvu")
    page = j.page
    page.goto(proposal.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#timeline")).to_contain_text("Đánh giá kết quả")
    j.arrive("proposal")
    j.click(page.get_by_role("link", name=re.compile("Đánh giá kết quả, trách nhiệm")))
    j.arrive("review")
    menu(j, "Đánh giá", "Đề nghị ghi nhận, khuyến khích và nhân rộng")
    j.arrive("requests")
    waiting = page.get_by_role("table", name="Chờ đồng chí quyết định")
    j.click(waiting.get_by_role("link", name=re.compile(cast["commune"].name)))
    j.check(page.get_by_label("Chấp thuận", exact=True))
    j.click(page.get_by_role("button", name="Ghi nhận quyết định"))
    expect(page.get_by_role("status").first).to_contain_text("Đã quyết định")
    j.arrive("request-decided")
    assert fresh(proposal).state == State.REPLICATED
    menu(j, "Đánh giá", "Bài học kinh nghiệm")
    j.arrive("lessons")


def test_the_unit_admin_journey(journey, cast, tmp_path):
    """Import an office's staff from the organization board's spreadsheet after a dry run, then
    read the working-day calendar."""
    from tests.onboarding.helpers import person, xlsx

    grant(cast["agency"], Role.ADMIN, username="quantri", full_name="Lê Quản Trị")
    j = journey("admin", "quantri")
    page = j.page
    menu(j, "Khác", "Nhập từ bảng tính")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập từ bảng tính")
    j.arrive("onboarding")
    sheet = tmp_path / "danh-sach-can-bo.xlsx"
    sheet.write_bytes(
        xlsx(
            units=[("P-A-X", "Chi cục Văn thư", cast["agency"].code, "Đơn vị sự nghiệp")],
            people=[
                person("CB001", "Nguyễn Văn An", "P-A-X", "Người đứng đầu", title="Chi cục trưởng"),
                person("CB002", "Trần Thị Bình", "P-A-X", "Cán bộ"),
            ],
        )
    )
    j.visible(page.get_by_label("Tệp bảng tính")).set_input_files(str(sheet))
    j.click(page.get_by_role("button", name="Chạy thử"))
    expect(page.get_by_text("Chạy thử: chưa có gì được ghi.")).to_be_visible()
    j.arrive("dry-run")
    j.click(page.get_by_role("button", name="Xác nhận và nhập"))
    expect(page.get_by_text("Đã nhập tệp.")).to_be_visible()
    j.arrive("imported")
    menu(j, "Khác", "Lịch làm việc")
    j.arrive("calendar")
