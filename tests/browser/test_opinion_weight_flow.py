"""Issue 11, points 5 and 7 in Chromium: the Party committee disagreed (its document and signer on
the page); the head approves anyway, first without the collective's assessment of the four
conditions (refused, a message next to each), then without a reason (refused, the message next to
the field), then with the reason written after clicking into the field with the mouse. The reason
and the "approved although the Party committee disagreed" notice are then on the proposal page."""

import datetime

import pytest
from playwright.sync_api import expect

from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Proposal, State
from tests.factories.proposals import ProposalFactory, fresh, under_review
from tests.factories.units import grant
from units.models import Role

from .conftest import CONDITION_LABELS

pytestmark = pytest.mark.browser

CONDITIONS = [
    "assessment_bottleneck",
    "assessment_common_good",
    "assessment_urgent_need",
    "assessment_reform",
]
REASON = "Người dân cần ngay; đã bổ sung nguồn lực theo ý kiến cấp ủy, tôi chịu trách nhiệm."


@pytest.fixture
def case(tree):
    agency = tree["agency"]
    cadre = grant(agency, Role.CADRE, username="canbo", full_name="Trần Thị Bình")
    head = grant(agency, Role.HEAD, username="giamdoc", full_name="Nguyễn Văn An")
    deputy = grant(agency, Role.DEPUTY, username="phogd", full_name="Lê Văn Cường")
    party = grant(agency, Role.PARTY_COMMITTEE, username="capuy", full_name="Hoàng Văn Em")
    proposal = under_review(ProposalFactory(home_unit=agency, created_by=cadre), cadre, head)
    for voter in (head, deputy):
        services.vote_cast(proposal=fresh(proposal), actor=voter, choice="for")
    services.opinion_record(
        proposal=fresh(proposal),
        actor=party,
        stage="decision",
        stance="disagree",
        text="Ban Thường vụ chưa đồng ý: nguồn lực chưa rõ.",
        document_number="125-CV/ĐU",
        document_date=datetime.date(2026, 11, 20),
        signer_name="Hoàng Văn Em",
        signer_title="Bí thư Đảng ủy",
    )
    return fresh(proposal)


def test_head_approves_after_a_disagreeing_opinion_with_a_written_reason(desktop_page, login, case):
    page = login("giamdoc")
    page.goto(case.get_absolute_url())
    opinion = page.locator("#opinion")
    expect(opinion).to_contain_text("Không đồng ý")
    expect(opinion.get_by_test_id("opinion-reference")).to_contain_text("125-CV/ĐU")
    expect(opinion.get_by_test_id("opinion-reference")).to_contain_text("Bí thư Đảng ủy")

    page.get_by_role("link", name="Phê duyệt", exact=True).click()
    panel = page.locator("#action-panel")
    panel.get_by_label("Phê duyệt theo hình thức").select_option(label="Thí điểm")
    panel.get_by_role("button", name="Phê duyệt", exact=True).click()
    # Refused: each of the four conditions must be assessed (issue 11, point 7).
    panel = page.get_by_role("region", name="Phê duyệt")
    for condition in CONDITIONS:
        expect(panel.locator(f"#field-{condition}")).to_contain_text(
            "Ghi đánh giá của tập thể lãnh đạo về điều kiện này"
        )
    assert Proposal.objects.get(pk=case.pk).state == State.UNDER_REVIEW

    panel.get_by_label("Phê duyệt theo hình thức").select_option(label="Thí điểm")
    for label in CONDITION_LABELS:
        panel.get_by_label(label).select_option(label="Đáp ứng")
    panel.get_by_role("button", name="Phê duyệt", exact=True).click()
    # Refused: the form again, on its own page, with the message next to the reason.
    panel = page.get_by_role("region", name="Phê duyệt")
    expect(panel.get_by_role("alert")).to_contain_text("Cấp ủy cùng cấp không đồng ý")
    assert Proposal.objects.get(pk=case.pk).state == State.UNDER_REVIEW

    # The reason, written after clicking into the field with the mouse.
    reason = panel.get_by_label("Lý do phê duyệt bằng văn bản của người đứng đầu")
    box = reason.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(reason).to_be_focused()
    page.keyboard.type(REASON)
    for label in CONDITION_LABELS:  # the assessment given before is still chosen
        expect(panel.get_by_label(label)).to_have_value("met")
    panel.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thực hiện: Phê duyệt.")

    proposal = Proposal.objects.get(pk=case.pk)
    assert proposal.state == State.APPROVED
    payload = LedgerEntry.objects.filter(proposal=proposal, event="approve").get().payload
    assert (payload["against_opinion"], payload["override_reason"]) == (True, REASON)
    assert payload["conditions"] == {
        "criterion_bottleneck": "met",
        "criterion_common_good": "met",
        "criterion_urgent_need": "met",
        "criterion_reform": "met",
    }
    page.goto(proposal.get_absolute_url())
    expect(page.get_by_test_id("against-opinion")).to_contain_text("cấp ủy cùng cấp không đồng ý")
    expect(page.get_by_test_id("override-reason")).to_contain_text(REASON)
