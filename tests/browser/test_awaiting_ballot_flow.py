"""Issue 11, point 4 in Chromium: a deputy finds the evaluation awaiting their ballot in "Awaiting
my vote" (beside a decision awaiting their vote), follows the link to the evaluation's ballot and
votes on the outcome with the mouse; the list then shows the ballot and the badge is gone."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import EvaluationBallot
from tests.factories.proposals import ProposalFactory, under_review
from tests.factories.reviews import evaluating
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def case(tree):
    agency = tree["agency"]
    head = grant(agency, Role.HEAD, username="giamdoc", full_name="Trần Văn Hùng")
    deputy = grant(agency, Role.DEPUTY, username="phogd", full_name="Lê Văn Cường")
    party = grant(agency, Role.PARTY_COMMITTEE, username="capuy", full_name="Phạm Thị Lan")
    cadre = grant(agency, Role.CADRE, username="canbo", full_name="Nguyễn Thị Hương")
    results = evaluating(
        ProposalFactory(
            home_unit=agency, created_by=cadre, title="Thí điểm một cửa liên thông điện tử"
        ),
        party=party,
    )
    decision = under_review(
        ProposalFactory(home_unit=agency, created_by=cadre, title="Số hóa hồ sơ đất đai"),
        cadre,
        head,
    )
    return {"deputy": deputy, "results": results, "decision": decision}


def test_a_deputy_finds_the_evaluation_in_the_list_and_votes(desktop_page, login, case):
    results = case["results"]
    page = login("phogd")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name=re.compile("^Đề xuất")).click()
    link = nav.get_by_role("link", name=re.compile("Chờ biểu quyết"))
    expect(link).to_contain_text("2")  # the decision and the evaluation
    link.click()

    rows = page.get_by_role("row")
    row = rows.filter(has_text=results.title)
    expect(row).to_contain_text("Đánh giá kết quả")
    expect(row).to_contain_text("Chưa biểu quyết")
    expect(rows.filter(has_text=case["decision"].title)).to_contain_text(
        "Quyết định phê duyệt đề xuất"
    )
    row.get_by_role("link", name=results.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(results.title)
    vote = page.locator("#evaluation-vote")
    expect(vote).to_be_in_viewport()
    vote.get_by_label("Đạt", exact=True).check()
    vote.get_by_role("button", name="Bỏ phiếu").click()
    expect(page.get_by_text("Đã ghi nhận phiếu của đồng chí về mức kết quả.")).to_be_visible()
    ballot = EvaluationBallot.objects.get(proposal=results)
    assert (ballot.voter, ballot.choice) == (case["deputy"], "achieved")

    page.goto("/proposals/votes/")
    row = page.get_by_role("row").filter(has_text=results.title)
    expect(row).to_contain_text("Đạt")
    expect(row).not_to_contain_text("Chưa biểu quyết")
