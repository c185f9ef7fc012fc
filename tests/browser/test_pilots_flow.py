"""A pilot from the plan to the final report, in a real browser: the head prepares the plan and
co-signs it, starts the pilot; the cadre files a progress report; an inspector records an
inspection; the cadre asks for an adjustment and the head approves it; the cadre completes the
work and files the final report. The KPI chart shows the reported values."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ledger.models import LedgerEntry
from pilots.models import ImplementationPlan
from proposals.models import State
from proposals.selectors import proposal_verify
from tests.factories.pilots import approved
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


def chart_values(page, kpi):
    return page.evaluate(
        "id => Chart.getChart(document.getElementById('kpi-chart-' + id)).data.datasets"
        ".map(d => d.data)",
        kpi.pk,
    )


def switch_user(page, login, username):
    page.context.clear_cookies()
    return login(username, page=page)


def test_pilot_from_plan_to_final_report(desktop_page, login, tree, live_server):
    agency, province = tree["agency"], tree["province"]
    head = grant(agency, Role.HEAD, username="giamdoc", full_name="Nguyễn Văn Giám")
    deputy = grant(agency, Role.DEPUTY, username="phogiamdoc")
    cadre = grant(agency, Role.CADRE, username="canbo", full_name="Trần Thị Cán")
    party = grant(agency, Role.PARTY_COMMITTEE, username="capuy")
    grant(province, Role.INSPECTOR, username="kiemtra", full_name="Lê Văn Kiểm")
    proposal = approved(
        ProposalFactory(home_unit=agency, created_by=cadre, title="Một cửa điện tử liên thông"),
        author=cadre,
        head=head,
        party=party,
        voters=[deputy],
    )
    pilot_url = f"/pilots/{proposal.pk}/"
    today = timezone.localdate()
    page = login("giamdoc")

    # The head prepares the plan.
    page.goto(pilot_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Một cửa điện tử liên thông")
    page.get_by_role("link", name="Lập kế hoạch").click()
    page.get_by_label("Ngày bắt đầu").fill(today.isoformat())
    page.get_by_label("Ngày kết thúc").fill((today + datetime.timedelta(days=180)).isoformat())
    page.get_by_label("Kinh phí (đồng)").fill("500000000")
    page.get_by_label("Nhân lực").fill("3 cán bộ Phòng Cải cách hành chính")
    page.get_by_label("Trang thiết bị, cơ sở vật chất").fill("Máy chủ dùng chung của tỉnh")
    page.get_by_label("Lê Văn Kiểm").check()
    page.get_by_label("Nhận diện rủi ro và biện pháp kiểm soát").fill(
        "Rủi ro quá tải hệ thống; triển khai từng đợt."
    )
    page.get_by_label("Mốc công việc 1", exact=True).fill("Vận hành thử")
    page.get_by_label("Hạn 1", exact=True).fill((today + datetime.timedelta(days=60)).isoformat())
    for row, (name, unit, base, target, better) in enumerate(
        [
            ("Thời gian giải quyết hồ sơ", "ngày", "30", "10", "lower"),
            ("Tỷ lệ hồ sơ trực tuyến", "%", "5", "60", "higher"),
        ],
        start=1,
    ):
        page.get_by_label(f"Chỉ tiêu {row}", exact=True).fill(name)
        page.get_by_label(f"Đơn vị tính {row}", exact=True).fill(unit)
        page.get_by_label(f"Giá trị ban đầu {row}", exact=True).fill(base)
        page.get_by_label(f"Mục tiêu {row}", exact=True).fill(target)
        page.get_by_label(f"Tốt hơn khi {row}", exact=True).select_option(better)
    page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu kế hoạch triển khai")
    expect(page.locator("#cosignature")).to_contain_text("Chưa ký xác nhận")

    # The head approved the proposal: he co-signs the risk declaration, then starts the work.
    page.get_by_role(
        "link", name="Ký xác nhận bản nhận diện rủi ro và biện pháp kiểm soát (phiên bản 1)"
    ).click()
    page.get_by_label("Tôi đã đọc bản nhận diện rủi ro").check()
    page.get_by_role(
        "button", name="Ký xác nhận bản nhận diện rủi ro và biện pháp kiểm soát (phiên bản 1)"
    ).click()
    expect(page.locator("#cosignature")).to_contain_text("Đã ký xác nhận")
    page.get_by_role("link", name="Bắt đầu triển khai").click()
    page.get_by_role("button", name="Bắt đầu triển khai").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thực hiện: Bắt đầu triển khai")
    expect(page.locator("main header .badge").first).to_have_text("Đang thực hiện")
    plan = ImplementationPlan.objects.get(proposal=proposal)
    online = plan.kpis.get(name="Tỷ lệ hồ sơ trực tuyến")

    # The cadre files the first progress report.
    page = switch_user(page, login, "canbo")
    page.goto(pilot_url)
    page.get_by_text("Nộp báo cáo tiến độ").click()
    page.get_by_label("Kết quả thực hiện trong kỳ").fill("Đã khảo sát 3 sở, tiếp nhận trực tuyến.")
    page.get_by_label("Thời gian giải quyết hồ sơ (ngày)").fill("24")
    page.get_by_label("Tỷ lệ hồ sơ trực tuyến (%)").fill("18.5")
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nộp báo cáo tiến độ")
    expect(page.locator("#report-schedule")).to_contain_text("Đã nộp")
    reported, baseline, target = chart_values(page, online)
    assert reported == [18.5]
    assert set(baseline) == {5} and set(target) == {60}

    # An inspector of the province, named monitor in the plan, records an inspection.
    page = switch_user(page, login, "kiemtra")
    page.goto("/pilots/monitored/")
    page.get_by_role("link", name=proposal.code).click()
    page.get_by_text("Ghi nhận kết quả kiểm tra").click()
    page.get_by_label("Kết quả kiểm tra").fill("Hồ sơ đầy đủ, đúng tiến độ.")
    page.get_by_label("Kiến nghị").fill("Tăng cường tuyên truyền.")
    page.get_by_label("Tốt", exact=True).check()
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận kết quả kiểm tra")

    # The cadre asks to extend the end date; the head approves: plan version 2.
    page = switch_user(page, login, "canbo")
    page.goto(pilot_url)
    page.get_by_role("link", name="Đề nghị điều chỉnh").click()
    page.get_by_label("Lý do điều chỉnh").fill("Phần mềm bàn giao chậm một tháng.")
    page.get_by_label("Ngày kết thúc").fill((today + datetime.timedelta(days=210)).isoformat())
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_role("status")).to_contain_text("Đã gửi đề nghị điều chỉnh")

    page = switch_user(page, login, "giamdoc")
    page.goto("/pilots/unit/")
    page.get_by_role("link", name=proposal.code).click()
    page.get_by_label("Ý kiến (không bắt buộc)").fill("Đồng ý lùi thời hạn.")
    page.get_by_role("button", name="Phê duyệt điều chỉnh").click()
    expect(page.get_by_role("status")).to_contain_text("kế hoạch có phiên bản mới")
    expect(page.locator("#adjustment-heading + article")).to_contain_text("Đã phê duyệt")
    plan.refresh_from_db()
    assert plan.version == 2 and plan.end_date == today + datetime.timedelta(days=210)

    # The cadre completes the work and files the final report.
    page = switch_user(page, login, "canbo")
    page.goto(pilot_url)
    page.get_by_role("link", name="Kết thúc thực hiện", exact=True).click()
    # An irreversible step: what is still open is shown, and a box must be ticked.
    expect(page.locator("#transition-consequences")).to_contain_text("Không thể hoàn tác")
    page.get_by_label("Tôi đã đọc").check()
    page.get_by_role("button", name="Có: Kết thúc thực hiện", exact=True).click()
    expect(page.locator("main header .badge").first).to_have_text(re.compile("kết thúc"))
    page.get_by_role("link", name="Nộp báo cáo kết quả cuối cùng").click()
    page.get_by_label("Báo cáo kết quả cuối cùng").fill("Đạt mục tiêu về thời gian giải quyết.")
    page.get_by_label("Giá trị cuối cùng: Thời gian giải quyết hồ sơ (ngày)").fill("9")
    page.get_by_label("Giá trị cuối cùng: Tỷ lệ hồ sơ trực tuyến (%)").fill("64")
    page.get_by_role("button", name="Nộp báo cáo kết quả cuối cùng").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thực hiện")
    expect(page.get_by_role("heading", name="Báo cáo kết quả cuối cùng")).to_be_visible()
    reported, baseline, target = chart_values(page, online)
    assert reported == [18.5, 64]

    proposal = fresh(proposal)
    assert proposal.state == State.EVALUATING
    events = list(
        LedgerEntry.objects.filter(proposal=proposal)
        .order_by("seq")
        .values_list("event", flat=True)
    )
    assert events[-9:] == [
        "plan_version",
        "plan_cosign",
        "start",
        "progress_report",
        "inspection",
        "adjustment_request",
        "adjustment_approve",
        "complete",
        "submit_final_report",
    ]
    assert proposal_verify(proposal).valid
