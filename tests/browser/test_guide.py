"""The user guide in Chromium: the navbar's "Hướng dẫn" opens the section about the page being
shown, on a desktop and on a phone; the guide's pages pass axe-core and never scroll sideways."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import grant
from units.models import Role

from .journey import Journey

pytestmark = pytest.mark.browser


def test_the_cadre_opens_the_guide_of_the_page_she_is_on(login, desktop_page, tree):
    cadre = grant(tree["agency"], Role.CADRE, full_name="Trần Thị Bình")
    page = login(cadre.username)
    j = Journey(page, "guide-cadre")
    page.goto("/proposals/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    j.click(nav.get_by_role("link", name="Hướng dẫn", exact=True))
    expect(page).to_have_url(re.compile(r"/help/cadre/#my-proposals$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hướng dẫn sử dụng: Cán bộ")
    expect(page.locator("#my-proposals")).to_be_in_viewport()
    j.arrive("guide")
    j.click(page.get_by_role("link", name="Mở trang: Viết và trình đề xuất"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/proposals/new/")


def test_the_guide_reads_on_a_phone(login, phone_page, tree):
    head = grant(tree["agency"], Role.HEAD)
    page = login(head.username, page=phone_page)
    j = Journey(page, "guide-head-phone")
    page.goto("/help/")
    j.arrive("index")
    j.click(page.get_by_role("link", name="Người đứng đầu"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hướng dẫn sử dụng: Người đứng đầu")
    j.arrive("head")
    contents = page.get_by_role("navigation", name="Mục lục")
    j.click(contents.get_by_role("link", name="Đánh giá kết quả"))
    expect(page.locator("#evaluate")).to_be_in_viewport()
