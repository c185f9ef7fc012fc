"""A founded complaint in a real browser (issue 11, point 2; Law on Complaints 2011, Art. 9, 31):
the author held responsible sees the deadline to complain and complains; the deciding head accepts
it with the revised decision; the author sees the new decision, which names the one it replaced,
and their protection dossier prints it. Everything by mouse and keyboard on the pages."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from proposals.models import State
from reviews import responsibility
from reviews.models import ResponsibilityComplaint, ResponsibilityDecision
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import decided
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def people(tree):
    agency = tree["agency"]
    return {
        "head": grant(agency, Role.HEAD, full_name="Trần Văn Hùng"),
        "party": grant(agency, Role.PARTY_COMMITTEE, full_name="Phạm Thị Lan"),
        "cadre": grant(agency, Role.CADRE, full_name="Nguyễn Thị Hương"),
        "agency": agency,
    }


def sign_out(page):
    page.context.clear_cookies()


def test_a_founded_complaint_revises_the_decision_and_the_dossier(login, people, tmp_path):
    proposal = ProposalFactory(
        home_unit=people["agency"],
        created_by=people["cadre"],
        title="Thí điểm tiếp nhận hồ sơ đất đai qua bưu điện",
    )
    proposal = decided(
        proposal,
        head=people["head"],
        party=people["party"],
        decision="held_responsible",
        no_personal_gain=False,
    )
    assert proposal.state == State.HELD_RESPONSIBLE
    due = responsibility.complaint_deadline(ResponsibilityDecision.objects.get())

    # The author sees the deadline to complain, and complains.
    page = login(people["cadre"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    mine = page.get_by_role("listitem").filter(has_text="Nguyễn Thị Hương")
    expect(mine).to_contain_text("Không đủ điều kiện được bảo vệ")
    expect(mine).to_contain_text(f"Hạn khiếu nại: {due:%d/%m/%Y}")
    page.get_by_label("Khiếu nại của anh/chị đối với quyết định này").fill(
        "Khoản chi cho người thân là chi phí thuê xe hợp lệ, có hóa đơn."
    )
    page.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.get_by_text("có hóa đơn.")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi khiếu nại")).to_have_count(0)
    sign_out(page)

    # The deciding head finds the complaint founded and revises the decision.
    page = login(people["head"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    # Until when they have to resolve it: 30 days from its filing (Law on Complaints, Art. 28).
    resolve_by = responsibility.complaint_resolution_due(ResponsibilityComplaint.objects.get())
    pending = page.get_by_test_id("resolution-due")
    expect(pending).to_be_visible()
    expect(pending).to_have_text(
        f"Chưa giải quyết. Hạn giải quyết: {resolve_by:%d/%m/%Y} (Luật Khiếu nại, Điều 28)."
    )
    # A complex case: the head extends the time to 45 days, with the reasons (Art. 28).
    page.get_by_text("Vụ việc phức tạp: gia hạn thời hạn giải quyết").click()
    page.get_by_label("Lý do vụ việc phức tạp").fill("Phải xác minh hóa đơn tại nhà xe.")
    page.get_by_role("button", name="Gia hạn giải quyết").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "Đã gia hạn thời hạn giải quyết khiếu nại"
    )
    extended = responsibility.complaint_resolution_due(ResponsibilityComplaint.objects.get())
    assert (extended - resolve_by).days == 15
    expect(pending).to_contain_text(f"Hạn giải quyết: {extended:%d/%m/%Y}")
    expect(page.get_by_test_id("extension")).to_contain_text("Phải xác minh hóa đơn tại nhà xe.")
    expect(page.get_by_text("Vụ việc phức tạp: gia hạn thời hạn giải quyết")).to_have_count(0)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Ghi nhận kết quả"))
    form.get_by_label("Kết quả giải quyết").select_option("accepted")
    form.get_by_label("Lý do giải quyết").fill("Hóa đơn thuê xe hợp lệ: không có vụ lợi.")
    form.get_by_label("Quyết định sửa đổi", exact=True).select_option(label="Miễn trách nhiệm")
    form.get_by_label("Không vụ lợi", exact=True).check()
    form.get_by_label("Thiệt hại (đồng)").fill("30000000")
    form.get_by_label("Lý do của quyết định sửa đổi").fill(
        "Làm đúng kế hoạch, không vụ lợi; thiệt hại do giá nhiên liệu tăng."
    )
    form.get_by_role("button", name="Ghi nhận kết quả giải quyết").click()
    expect(page.get_by_text("Hóa đơn thuê xe hợp lệ: không có vụ lợi.")).to_be_visible()
    assert fresh(proposal).state == State.EXEMPTED
    assert ResponsibilityDecision.objects.count() == 2
    sign_out(page)

    # The author sees the revised decision, which names the one it replaced.
    page = login(people["cadre"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    mine = page.get_by_role("listitem").filter(has_text="Nguyễn Thị Hương")
    expect(mine).to_contain_text("Miễn trách nhiệm")
    expect(mine).to_contain_text("Sửa đổi sau khi giải quyết khiếu nại")
    expect(mine).to_contain_text("30.000.000")
    expect(mine).to_contain_text("Khiếu nại đúng: quyết định được sửa đổi")
    # The dossier is prepared by a worker (the tests' Celery is eager); the job's page offers it.
    page.get_by_role("button", name="Lập hồ sơ bảo vệ (PDF)").click()
    ready = page.locator("#export-status")
    expect(ready).to_contain_text("Tệp đã sẵn sàng.", timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        ready.get_by_role("link", name=re.compile("^Tải về ho-so-bao-ve-")).click()
    path = tmp_path / "ho-so-bao-ve.pdf"
    download.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Miễn trách nhiệm" in text
    assert "Sửa đổi sau khi giải quyết khiếu nại" in text
