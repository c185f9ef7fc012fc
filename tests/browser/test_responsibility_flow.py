"""Responsibility per person in a real browser (amendment of 2026-11-29): each of two co-authors
explains, the head decides on each with a different outcome, the proposal is
`responsibility_decided`, and the author not eligible for protection complains; the head resolves
the complaint. Everything by mouse and keyboard on the pages."""

import re

import pytest
from playwright.sync_api import expect

from proposals.models import ProposalAuthor, State
from reviews.models import ResponsibilityComplaint, ResponsibilityDecision
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import in_review
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
        "cadre2": grant(agency, Role.CADRE, full_name="Lê Văn Đức"),
        "agency": agency,
    }


def decide(page, proposal, author, decision, *, protected):
    page.goto(f"/reviews/{proposal.pk}/")
    page.get_by_role("region", name="Thao tác").get_by_role(
        "link", name="Quyết định về trách nhiệm"
    ).click()
    page.get_by_label("Tác giả được xem xét").select_option(label=author)
    page.locator("[name=decision]").select_option(decision)
    labels = ["Thực hiện đúng kế hoạch được phê duyệt", "Vì lợi ích chung", "Gây thiệt hại"]
    if protected:
        labels += ["Động cơ trong sáng", "Không vụ lợi"]
    for label in labels:
        page.get_by_label(label, exact=True).check()
    page.get_by_label("Thiệt hại (đồng)").fill("60000000")
    page.get_by_label("Lý do").fill(f"Xem xét riêng đối với {author}.")
    page.get_by_role("button", name="Quyết định về trách nhiệm").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))


def test_two_authors_different_outcomes_and_a_complaint(login, people, settings):
    settings.KL14_RESPONSIBILITY_EXPLANATION_DAYS = 5
    proposal = ProposalFactory(
        home_unit=people["agency"],
        created_by=people["cadre"],
        title="Thí điểm thuê ngoài số hóa hồ sơ lưu trữ",
    )
    ProposalAuthor.objects.create(proposal=proposal, user=people["cadre2"])
    proposal = in_review(proposal, head=people["head"], party=people["party"])

    # Each author explains on the review page.
    for who, text in (("cadre", "Tôi làm đúng kế hoạch."), ("cadre2", "Tôi không vụ lợi.")):
        page = login(people[who].username)
        page.goto(f"/reviews/{proposal.pk}/")
        page.get_by_label("Giải trình của anh/chị trước khi quyết định").fill(text)
        page.get_by_role("button", name="Gửi giải trình").click()
        expect(page.get_by_text(text)).to_be_visible()
        page.context.clear_cookies()

    page = login(people["head"].username)
    decide(page, proposal, "Nguyễn Thị Hương", "reduced", protected=True)
    assert fresh(proposal).state == State.RESPONSIBILITY_REVIEW
    decide(page, proposal, "Lê Văn Đức", "held_responsible", protected=False)
    assert fresh(proposal).state == State.RESPONSIBILITY_DECIDED
    assert dict(
        ResponsibilityDecision.objects.filter(proposal=proposal).values_list(
            "author__username", "decision"
        )
    ) == {people["cadre"].username: "reduced", people["cadre2"].username: "held_responsible"}
    page.context.clear_cookies()

    # The author not eligible for protection sees their own outcome and complains.
    page = login(people["cadre2"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    mine = page.get_by_role("listitem").filter(has_text="Lê Văn Đức")
    expect(mine).to_contain_text("Không đủ điều kiện được bảo vệ")
    expect(page.get_by_role("listitem").filter(has_text="Nguyễn Thị Hương")).to_contain_text(
        "Giảm nhẹ trách nhiệm"
    )
    page.get_by_label("Khiếu nại của anh/chị đối với quyết định này").fill(
        "Tôi không hưởng lợi gì."
    )
    page.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.get_by_text("Tôi không hưởng lợi gì.")).to_be_visible()
    page.context.clear_cookies()

    # The deciding head resolves it.
    page = login(people["head"].username)
    page.goto(f"/reviews/{proposal.pk}/")
    page.get_by_label("Kết quả giải quyết").select_option("upheld")
    page.get_by_label("Lý do giải quyết").fill("Có căn cứ về vốn góp của người thân.")
    page.get_by_role("button", name="Ghi nhận kết quả giải quyết").click()
    expect(page.get_by_text("Có căn cứ về vốn góp của người thân.")).to_be_visible()
    complaint = ResponsibilityComplaint.objects.get()
    assert complaint.resolution == "upheld" and complaint.resolved_by == people["head"]
