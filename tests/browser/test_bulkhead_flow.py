"""The bulkhead in a real browser (issue 12): while another web process holds the machine's only
slot for heavy reads, an organization board who opens the dashboard from the menu gets, after the
short wait, a page in Vietnamese that says to try again in a moment, with the navigation still
there; the other pages are served meanwhile, and once the slot is free the dashboard opens."""

import fcntl
import os

import pytest
from playwright.sync_api import expect

from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


def test_a_busy_dashboard_says_so_in_vietnamese_then_opens(login, tree, settings):
    settings.KL14_HEAVY_SLOTS = 1
    settings.KL14_HEAVY_WAIT = 0.5
    os.makedirs(settings.KL14_HEAVY_LOCK_DIR, exist_ok=True)
    board = grant(tree["province"], Role.ORGANIZATION_BOARD, full_name="Lê Minh Tâm")
    page = login(board.username)

    # Another process's heavy read holds the only slot: its own open file of the slot's lock.
    slot = os.open(os.path.join(settings.KL14_HEAVY_LOCK_DIR, "slot-0"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(slot, fcntl.LOCK_EX)
    try:
        menu = page.get_by_role("navigation", name="Điều hướng chính")
        menu.get_by_role("button", name="Đánh giá, tổng kết").click()
        menu.get_by_role("link", name="Bảng điều hành").click()
        expect(page.get_by_text("Nhiều người đang mở trang này")).to_be_visible()
        expect(page.get_by_role("button", name="Đánh giá, tổng kết")).to_be_visible()
        # The everyday pages are not held back.
        page.goto("/proposals/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    finally:
        fcntl.flock(slot, fcntl.LOCK_UN)
        os.close(slot)

    page.go_back()
    page.reload()
    expect(page.get_by_text("Nhiều người đang mở trang này")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/dashboard/")
