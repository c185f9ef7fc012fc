"""Contrast and structure where Bootstrap's tints meet KL14's pages, in Chromium with axe-core
(found by crawling `make run` as the demo users with axe on every page; the journeys had not
reached these states): an unread notification's link and button on the warning tint, a hash in
the ledger check's success alert, the complaint button, the per-author decisions, a transition on
a page of its own. Each page is checked for the rules that failed there, at any impact."""

import pytest
from playwright.sync_api import expect

from notifications.services import notifications_create
from proposals.models import State
from tests.browser.journey import axe_violations
from tests.factories.proposals import ProposalFactory, submitted
from tests.factories.reviews import decided
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser

RULES = ["color-contrast", "heading-order", "aria-allowed-role"]


def violations(page, rules=RULES) -> list[str]:
    return axe_violations(page, rules)


@pytest.fixture
def people(tree):
    agency = tree["agency"]
    return {
        "agency": agency,
        "head": grant(agency, Role.HEAD, full_name="Trần Văn Hùng"),
        "party": grant(agency, Role.PARTY_COMMITTEE, full_name="Phạm Thị Lan"),
        "cadre": grant(agency, Role.CADRE, full_name="Nguyễn Thị Hương"),
    }


def test_an_unread_notification(login, people):
    cadre = people["cadre"]
    notifications_create(
        recipient_ids=[cadre.pk],
        kind="update",
        title="Đề xuất DX-2026-000028 đã được phê duyệt thí điểm",
        url="/proposals/votes/",
    )
    page = login(cadre.username)
    page.goto("/notifications/")
    item = page.locator(".list-group-item-warning")
    expect(item.get_by_role("link", name="Đề xuất DX-2026-000028")).to_be_visible()
    expect(item.get_by_role("button", name="Đánh dấu đã đọc")).to_be_visible()
    assert violations(page) == []


def test_the_ledger_check_and_a_transition_page(login, people):
    cadre = people["cadre"]
    proposal = submitted(ProposalFactory(home_unit=people["agency"], created_by=cadre), cadre)
    page = login(cadre.username)
    page.goto(f"/proposals/{proposal.pk}/verify/")
    expect(page.locator(".alert-success code.hash")).to_be_visible()
    assert violations(page) == []
    page.goto(f"/proposals/{proposal.pk}/actions/withdraw/")
    expect(page.get_by_role("heading", level=2, name="Rút đề xuất")).to_be_visible()
    assert violations(page) == []


def test_the_complaint_and_the_decisions_on_each_author(login, people):
    cadre = people["cadre"]
    proposal = decided(
        ProposalFactory(home_unit=people["agency"], created_by=cadre),
        head=people["head"],
        party=people["party"],
        decision="held_responsible",
        no_personal_gain=False,
    )
    assert proposal.state == State.HELD_RESPONSIBLE
    page = login(cadre.username)
    page.goto(f"/reviews/{proposal.pk}/")
    expect(page.get_by_role("button", name="Gửi khiếu nại")).to_be_visible()
    assert violations(page) == []


@pytest.mark.parametrize("tint", ["primary", "secondary", "success", "danger", "warning", "info"])
def test_links_code_and_buttons_on_every_tint(desktop_page, tint):
    """The stylesheet's rule, for the tints no page above shows: an alert and a highlighted list
    item of each colour holding a link, a hash and an outline button."""
    page = desktop_page
    page.goto("/accounts/login/")  # the app's own stylesheets
    page.evaluate(
        """tint => { document.querySelector('main').innerHTML =
            `<div class="alert alert-${tint}">Văn bản <a href="#x">liên kết</a>
               <code class="hash">e62281fa8347e74f</code>
               <button type="button" class="btn btn-sm btn-outline-secondary">Đóng</button></div>
             <ul class="list-group"><li class="list-group-item list-group-item-${tint}">
               <a href="#y">Thông báo</a> <code>abc</code>
               <button type="button" class="btn btn-sm btn-outline-secondary">Đánh dấu</button>
             </li></ul>`; }""",
        tint,
    )
    assert violations(page, ["color-contrast"]) == []
