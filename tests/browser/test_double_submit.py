"""A double click sends a form once (static/js/forms.js): a double click on "Lưu nháp" made two
proposals on make run, whose server was busy. A person with a mouse, in Chromium, on visible
controls; the server is made slow to answer (a second before it saves), as a loaded server or a
slow network is, so that the second click lands while the first form is on its way."""

import re
import time

import pytest
from playwright.sync_api import expect

from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Proposal, State
from tests.browser.test_proposals_flow import CRITERIA, PLAN, SECTIONS
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser

EDIT = re.compile(r"/proposals/\d+/edit/$")  # the keys go on across tests: not always 1


@pytest.fixture
def slow_server(monkeypatch):
    original = services.proposal_create

    def slower(**kwargs):
        time.sleep(1)  # the request has arrived; the answer comes late
        return original(**kwargs)

    monkeypatch.setattr(services, "proposal_create", slower)


def double_click(page, button):
    """Two presses of the mouse 150 ms apart, as a person double-clicks (Playwright's dblclick()
    presses twice within a millisecond, before the first form has left the browser)."""
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)


@pytest.fixture
def cadre(tree):
    return grant(tree["agency"], Role.CADRE, username="canbo", full_name="Trần Thị Bình")


def test_a_double_click_saves_one_draft_and_the_form_works_again_later(login, cadre, slow_server):
    page = login(cadre.username)
    page.goto("/proposals/new/")
    page.get_by_label("Tên đề xuất").fill("Số hóa hồ sơ một cửa")
    double_click(page, page.get_by_role("button", name="Lưu nháp"))
    expect(page).to_have_url(EDIT)
    expect(page.get_by_role("status").first).to_be_visible()
    time.sleep(1.5)  # a second form, had it been sent, would be saved by now
    (draft,) = Proposal.objects.all()
    assert draft.title == "Số hóa hồ sơ một cửa"
    assert page.url.endswith(f"/proposals/{draft.pk}/edit/")

    # Back on the form (from the browser's cache or not), it may be sent again.
    page.go_back()
    page.get_by_label("Tên đề xuất").fill("Một đề xuất khác")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page).to_have_url(EDIT)
    expect(page.get_by_role("status").first).to_be_visible()
    assert Proposal.objects.count() == 2


def test_a_double_click_submits_one_proposal(login, cadre, slow_server):
    title = "Tiếp nhận hồ sơ đất đai trực tuyến tại xã"
    page = login(cadre.username)
    page.goto("/proposals/new/")
    page.get_by_label("Tên đề xuất").fill(title)
    page.get_by_label("Tóm tắt").fill(PLAN["summary"])
    page.get_by_label("Lĩnh vực").select_option(label="Cải cách hành chính")
    page.get_by_label("Đã có quy định nhưng không còn phù hợp với thực tiễn").check()
    for label, text in {**SECTIONS, "Hiệu quả dự kiến": PLAN["expected_results"]}.items():
        page.get_by_label(label, exact=True).fill(text)
    for label in CRITERIA:
        page.get_by_label(label).check()
    double_click(page, page.get_by_role("button", name="Lưu và trình"))
    expect(page.get_by_role("status").first).to_contain_text("Đã trình đề xuất")
    time.sleep(1.5)  # a second form, had it been sent, would be saved by now
    proposal = Proposal.objects.get()
    assert proposal.state == State.SUBMITTED
    assert LedgerEntry.objects.filter(event="submit").count() == 1


@pytest.fixture
def page_without_javascript(chromium_browser, live_server, transactional_db):
    """A browser that runs no script (forms.js cannot help): the server alone must see to it."""
    from tests.browser.conftest import DESKTOP, _open_page

    context, page, problems = _open_page(
        chromium_browser, live_server, java_script_enabled=False, **DESKTOP
    )
    yield page
    context.close()
    problems.check()


def test_without_javascript_a_double_click_saves_one_draft(
    login, cadre, slow_server, page_without_javascript
):
    """Both copies of the form reach the server (the second click cancels the first page load,
    not the first request): the second waits for the first and is shown its result."""
    page = login(cadre.username, page=page_without_javascript)
    page.goto("/proposals/new/")
    page.get_by_label("Tên đề xuất").fill("Số hóa hồ sơ một cửa")
    double_click(page, page.get_by_role("button", name="Lưu nháp"))
    expect(page).to_have_url(EDIT)
    expect(page.get_by_role("status").first).to_contain_text("không thực hiện lần thứ hai")
    time.sleep(1.5)  # a second form, had it been saved, would be by now
    (draft,) = Proposal.objects.all()
    assert page.url.endswith(f"/proposals/{draft.pk}/edit/")
