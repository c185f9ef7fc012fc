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


@pytest.fixture
def three_unread(tree):
    """A cadre with three unread notifications, one of them for an action of hers."""
    from notifications.models import Notification, NotificationKind

    cadre = grant(tree["agency"], Role.CADRE, username="canbo", full_name="Trần Thị Bình")
    kinds = (NotificationKind.INFO, NotificationKind.ACTION, NotificationKind.UPDATE)
    for number, kind in enumerate(kinds, start=1):
        Notification.objects.create(
            recipient=cadre, kind=kind, title=f"Thông báo số {number}", unit=tree["agency"]
        )
    return cadre


def unread_items(page):
    return page.locator("#notification-list li.list-group-item-warning")


def test_mark_as_read_swaps_the_item_in_place(desktop_page, login, three_unread):
    """With JavaScript: htmx posts the button (the list's one form gives the CSRF token) and
    swaps the item; the page is not reloaded, the other items stay unread."""
    page = login("canbo")
    page.goto("/notifications/")
    assert badge(page) == "3"
    expect(unread_items(page)).to_have_count(3)
    item = page.get_by_role("listitem").filter(has_text="Thông báo số 2")
    page.evaluate("window.kl14NotReloaded = true")
    click(item.get_by_role("button", name="Đánh dấu đã đọc"))
    expect(item.get_by_role("button", name="Đánh dấu đã đọc")).to_have_count(0)
    expect(unread_items(page)).to_have_count(2)
    assert page.evaluate("window.kl14NotReloaded === true")  # swapped, not reloaded
    page.reload()
    assert badge(page) == "2"
    read = page.get_by_role("listitem").filter(has_text="Thông báo số 2")
    expect(read).not_to_have_class(re.compile("list-group-item-warning"))


def test_mark_as_read_without_javascript_comes_back_to_the_same_page(
    chromium_browser, live_server, login, three_unread
):
    """Without JavaScript the button submits the list's form to its own address (formaction):
    the notification is read and the person is back on the page they were on."""
    context = chromium_browser.new_context(
        locale="vi-VN", base_url=live_server.url, java_script_enabled=False, **DESKTOP
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = login("canbo", page=context.new_page())
        page.goto("/notifications/?unread=1")
        expect(unread_items(page)).to_have_count(3)
        item = page.get_by_role("listitem").filter(has_text="Thông báo số 3")
        click(item.get_by_role("button", name="Đánh dấu đã đọc"))
        page.wait_for_url(re.compile(r"/notifications/\?unread=1$"))
        expect(page.get_by_role("listitem").filter(has_text="Thông báo số 3")).to_have_count(0)
        expect(unread_items(page)).to_have_count(2)
        assert badge(page) == "2"
    finally:
        context.close()
