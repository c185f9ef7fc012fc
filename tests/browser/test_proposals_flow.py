"""A proposal's way through the decision stage in Chromium: a cadre writes and submits it through
the form, two deputies and the head vote, the Party committee gives its opinion, the head
approves it as a pilot, and the cadre sees the approval on the timeline. Also the main pages on
a phone.

Set KL14_SCREENSHOTS=/some/dir to keep screenshots of the main pages (never committed)."""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals.models import Proposal, State
from tests.factories.proposals import PLAN, ProposalFactory, submitted
from tests.factories.units import grant
from units.models import Role

from .conftest import CONDITION_LABELS

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("KL14_SCREENSHOTS", "")

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
}
CRITERIA = [
    "Tháo gỡ điểm nghẽn, nút thắt trong cơ chế, chính sách",
    "Vì lợi ích chung",
    "Đáp ứng yêu cầu cấp bách của thực tiễn, không gây hại",
    "Thúc đẩy đổi mới, cải cách",
    "Tôi cam kết không có vụ lợi cá nhân trong đề xuất này",
]


def shot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page):
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def people(tree):
    agency = tree["agency"]
    return {
        "cadre": grant(agency, Role.CADRE, username="canbo", full_name="Trần Thị Bình"),
        "head": grant(agency, Role.HEAD, username="giamdoc", full_name="Nguyễn Văn An"),
        "deputy1": grant(agency, Role.DEPUTY, username="phogd1", full_name="Lê Văn Cường"),
        "deputy2": grant(agency, Role.DEPUTY, username="phogd2", full_name="Phạm Thị Dung"),
        "party": grant(agency, Role.PARTY_COMMITTEE, username="capuy", full_name="Hoàng Văn Em"),
        "agency": agency,
    }


def switch_user(page, login, username):
    page.context.clear_cookies()
    return login(username, page=page)


def open_from_nav(page, label, title):
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    link = nav.get_by_role("link", name=re.compile(label))
    if not link.is_visible():  # several proposal entries share the "Đề xuất" menu
        nav.get_by_role("button", name=re.compile("^Đề xuất")).click()
    link.click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def vote(page, choice):
    votes = page.locator("#votes")
    votes.get_by_label(choice, exact=True).check()
    votes.get_by_role("button", name="Biểu quyết", exact=True).click()
    # The result shows where the person voted, not off screen at the top of the page.
    message = page.locator("#votes").get_by_role("status")
    expect(message).to_contain_text(f"Đã ghi nhận biểu quyết của bạn: {choice}")
    expect(message).to_be_in_viewport()


def test_a_proposal_is_written_voted_on_and_approved_as_a_pilot(desktop_page, login, people):
    title = "Tiếp nhận hồ sơ đất đai trực tuyến tại xã"
    page = login("canbo")

    # The cadre writes the proposal; the first "submit" forgets a section.
    open_nav = page.get_by_role("navigation", name="Điều hướng chính")
    open_nav.get_by_role("link", name="Đề xuất của tôi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề xuất của tôi")
    page.get_by_role("link", name="Viết đề xuất mới").first.click()
    expect(page.get_by_label("Đơn vị công tác")).to_have_value(str(people["agency"].pk))
    page.get_by_label("Tên đề xuất").fill(title)
    page.get_by_label("Tóm tắt").fill(PLAN["summary"])
    page.get_by_label("Lĩnh vực").select_option(label="Cải cách hành chính")
    page.get_by_label("Đã có quy định nhưng không còn phù hợp với thực tiễn").check()
    for label, text in SECTIONS.items():
        page.get_by_label(label, exact=True).fill(text)
    for label in CRITERIA:
        page.get_by_label(label).check()
    shot(page, "form-desktop")
    page.get_by_role("button", name="Lưu và trình").click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Hiệu quả dự kiến")
    message = page.get_by_role("status").first
    expect(message).to_contain_text("Đã lưu bản nháp, nhưng chưa thể trình")
    expect(page.get_by_label("Hiệu quả dự kiến")).to_have_attribute("aria-invalid", "true")
    shot(page, "form-errors-desktop")
    assert Proposal.objects.get().state == State.DRAFT
    page.get_by_label("Hiệu quả dự kiến").fill(PLAN["expected_results"])
    page.get_by_role("button", name="Lưu và trình").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status").first).to_contain_text("Đã trình đề xuất")
    proposal = Proposal.objects.get()
    assert proposal.state == State.SUBMITTED

    # The head finds it in the inbox, opens the review and votes for.
    page = switch_user(page, login, "giamdoc")
    open_from_nav(page, "Hồ sơ chờ xử lý", title)
    page.get_by_role("link", name="Mở xem xét").click()
    panel = page.locator("#action-panel")
    expect(panel.get_by_role("heading", name="Mở xem xét")).to_be_focused()
    panel.get_by_role("button", name="Mở xem xét").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện: Mở xem xét.")
    vote(page, "Tán thành")

    # Two deputies vote from their queue.
    for username in ("phogd1", "phogd2"):
        page = switch_user(page, login, username)
        open_from_nav(page, "Chờ biểu quyết", title)
        expect(page.locator("#dossier")).to_contain_text(PLAN["bottleneck"])
        vote(page, "Tán thành")

    # The Party committee gives its opinion.
    page = switch_user(page, login, "capuy")
    open_from_nav(page, "Chờ cho ý kiến", title)
    opinion = page.locator("#opinion")
    opinion.get_by_label("Đồng ý", exact=True).check()
    opinion.get_by_label("Nội dung ý kiến").fill("Ban Thường vụ đồng ý thí điểm trong 6 tháng.")
    # The committee's conclusion as issued: every field of its reference is required.
    opinion.get_by_label("Số, ký hiệu văn bản của cấp ủy").fill("45-CV/ĐU")
    opinion.get_by_label("Ngày văn bản").fill(timezone.localdate().isoformat())
    opinion.get_by_label(re.compile("^Người ký")).fill("Hoàng Văn Em")
    opinion.get_by_label("Chức vụ người ký").fill("Bí thư Đảng ủy")
    opinion.get_by_role("button", name="Ghi nhận ý kiến").click()
    expect(page.locator("#opinion").get_by_role("status")).to_contain_text(
        "Đã ghi nhận ý kiến của cấp ủy."
    )

    # The head sees the tally and the opinion, and approves as a pilot.
    page = switch_user(page, login, "giamdoc")
    open_from_nav(page, "Hồ sơ chờ xử lý", title)
    votes = page.locator("#votes")
    expect(votes).to_contain_text("Đã thông qua")
    expect(votes.get_by_role("row").filter(has_text="Phạm Thị Dung")).to_contain_text("Tán thành")
    expect(page.locator("#opinion")).to_contain_text("Ban Thường vụ đồng ý thí điểm")
    shot(page, "review-desktop")
    page.get_by_role("link", name="Phê duyệt", exact=True).click()
    panel = page.locator("#action-panel")
    panel.get_by_label("Phê duyệt theo hình thức").select_option(label="Thí điểm")
    # The collective's assessment of each condition of Decree 73, Art. 5(1).
    for condition in CONDITION_LABELS:
        panel.get_by_label(condition).select_option(label="Đáp ứng")
    panel.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện: Phê duyệt.")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.mode) == (State.APPROVED, "pilot")

    # The cadre sees the approval on the timeline, and the ledger checks out.
    page = switch_user(page, login, "canbo")
    page.goto(proposal.get_absolute_url())
    timeline = page.locator("#timeline")
    approval = timeline.get_by_role("listitem").filter(has_text="Đã phê duyệt").last
    expect(approval).to_contain_text("Nguyễn Văn An")
    expect(approval).to_contain_text("Thí điểm")
    labels = timeline.locator("li > .fw-semibold")
    expect(labels.filter(has_text=re.compile(r"^Cấp ủy cho ý kiến$"))).to_have_count(1)
    # The ballots are secret: the author sees the tally, never who voted how (amendment 2026-11-29).
    expect(labels.filter(has_text=re.compile(r"^Biểu quyết$"))).to_have_count(0)
    expect(page.locator("#votes")).to_contain_text("Đã thông qua")
    expect(page.locator("#votes")).not_to_contain_text("Phạm Thị Dung")
    timeline.get_by_role("link", name="Kiểm tra tính toàn vẹn").click()
    # Verification still counts the whole chain: ballots and the decision's official document too.
    expect(page.locator("#verify-result")).to_contain_text("Nhật ký xử lý toàn vẹn: 8 mục")
    shot(page, "status-desktop")


def test_the_main_pages_fit_a_phone(phone_page, login, people):
    page = login("canbo", page=phone_page)
    proposal = submitted(
        ProposalFactory(home_unit=people["agency"], created_by=people["cadre"]), people["cadre"]
    )
    ProposalFactory(home_unit=people["agency"], created_by=people["cadre"], title="Bản nháp 2")

    page.goto("/proposals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đề xuất của tôi")
    expect(page.get_by_role("link", name=proposal.title)).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "mine-phone")

    page.goto("/proposals/new/")
    expect(page.get_by_role("button", name="Lưu và trình")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "form-phone")

    page.goto(proposal.get_absolute_url())
    expect(page.get_by_role("heading", name="Tình trạng và bước tiếp theo")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "status-phone")

    page = switch_user(page, login, "giamdoc")
    page.goto("/proposals/inbox/")
    expect(page.get_by_role("link", name=proposal.title)).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "inbox-phone")
    page.goto(proposal.get_absolute_url())
    page.get_by_role("link", name="Trả lại để chỉnh sửa").click()
    expect(page.get_by_label("Nội dung cần chỉnh sửa")).to_be_visible()
    no_horizontal_scroll(page)
    shot(page, "action-phone")


def test_an_action_that_became_impossible_shows_why(desktop_page, login, people):
    from proposals import services

    proposal = submitted(
        ProposalFactory(home_unit=people["agency"], created_by=people["cadre"]), people["cadre"]
    )
    page = login("giamdoc")
    page.goto(proposal.get_absolute_url())
    # Meanwhile the review is opened elsewhere (another tab, the API).
    services.proposal_open_review(proposal=proposal, actor=people["head"])
    page.get_by_role("link", name="Mở xem xét").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("409")
    expect(page.get_by_role("alert")).to_contain_text("Không thể thực hiện thao tác này")
