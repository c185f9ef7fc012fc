"""Event notifications in Chromium: the head approves a proposal in one browser; the cadre, signed
in in another, sees the notifications badge grow, opens the notification centre and the
notification, lands on the proposal, and the badge goes down. Clicks on visible controls only."""

import re

import pytest
from playwright.sync_api import expect

from proposals import services
from tests.browser.conftest import CONDITION_LABELS, DESKTOP, TIMEOUT_MS
from tests.factories.proposals import ProposalFactory, committee_reference, fresh
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser

TITLE = "Cấp phiếu lý lịch tư pháp trực tuyến"


def click(locator):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    locator.click()


def badge(page):
    """The unread count on the navigation's notifications link ("" when there is none)."""
    link = page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name=re.compile("^Thông báo")
    )
    expect(link).to_be_visible()
    count = link.locator(".badge")
    return count.inner_text().split()[0] if count.count() else ""


@pytest.fixture
def ready_to_decide(tree):
    """A proposal of the agency under review, voted for and with the Party committee's opinion."""
    agency = tree["agency"]
    cadre = grant(agency, Role.CADRE, username="canbo", full_name="Trần Thị Bình")
    head = grant(agency, Role.HEAD, username="giamdoc", full_name="Nguyễn Văn An")
    party = grant(agency, Role.PARTY_COMMITTEE, username="capuy")
    proposal = ProposalFactory(home_unit=agency, created_by=cadre, title=TITLE)
    services.proposal_submit(proposal=fresh(proposal), actor=cadre)
    services.proposal_open_review(proposal=fresh(proposal), actor=head)
    services.opinion_record(
        proposal=fresh(proposal),
        actor=party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    services.vote_cast(proposal=fresh(proposal), actor=head, choice="for")
    return fresh(proposal)


def test_the_cadre_is_told_of_the_approval_in_her_browser(
    chromium_browser, live_server, desktop_page, login, ready_to_decide
):
    proposal = ready_to_decide
    # The cadre, in a browser of her own: one notification so far ("under review").
    cadre_context = chromium_browser.new_context(
        locale="vi-VN", base_url=live_server.url, **DESKTOP
    )
    cadre_context.set_default_timeout(TIMEOUT_MS)
    try:
        cadre = login("canbo", page=cadre_context.new_page())
        assert badge(cadre) == "1"

        # The head approves as a pilot, in another browser.
        head = login("giamdoc")
        head.goto(proposal.get_absolute_url())
        click(head.get_by_role("link", name="Phê duyệt", exact=True))
        panel = head.locator("#action-panel")
        panel.get_by_label("Phê duyệt theo hình thức").select_option(label="Thí điểm")
        for condition in CONDITION_LABELS:  # the collective's assessment (Decree 73, Art. 5(1))
            panel.get_by_label(condition).select_option(label="Đáp ứng")
        click(panel.get_by_role("button", name="Phê duyệt", exact=True))
        expect(head.get_by_role("status").first).to_contain_text("Đã thực hiện: Phê duyệt.")

        # The cadre moves on to the notification centre: the badge says 2.
        click(
            cadre.get_by_role("navigation", name="Điều hướng chính").get_by_role(
                "link", name=re.compile("^Thông báo")
            )
        )
        expect(cadre.get_by_role("heading", level=1)).to_have_text("Thông báo")
        assert badge(cadre) == "2"
        approval = f"Đề xuất {proposal.code} “{TITLE}” đã được phê duyệt thí điểm"
        item = cadre.get_by_role("listitem").filter(has_text=approval)
        expect(item).to_contain_text("Diễn biến")
        expect(item).to_contain_text("Nguyễn Văn An, người đứng đầu Sở")
        click(item.get_by_role("link", name=approval))

        # She lands on the proposal; the notification is read.
        expect(cadre.get_by_role("heading", level=1)).to_have_text(TITLE)
        assert cadre.url.endswith(proposal.get_absolute_url())
        assert badge(cadre) == "1"
    finally:
        cadre_context.close()
