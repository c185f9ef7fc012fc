"""The dashboard's filter in a real browser: its selects and the year field (written by the form
renderer in Python, kl14/forms.py) are picked with the mouse and the keyboard, sent, and shown
again as chosen."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


def test_the_board_picks_a_unit_and_a_year_and_sees_them(login, tree, live_server):
    board = grant(tree["province"], Role.ORGANIZATION_BOARD, full_name="Lê Minh Tâm")
    page = login(board.username)
    page.goto("/dashboard/")
    unit = page.get_by_label("Đơn vị", exact=True)
    period = page.get_by_label("Kỳ báo cáo")
    year = page.get_by_label("Năm", exact=True)
    for control in (unit, period, year):
        expect(control).to_be_visible()
    # The province's children are offered under it, indented.
    expect(unit.locator("option", has_text="— Sở")).to_have_count(1)
    unit.select_option(label="— Sở")
    period.select_option(label="Năm (tổng kết)")
    year.fill("2025")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/\?.*unit="))
    expect(page.locator("main")).to_contain_text("Sở · Tổng kết năm 2025")
    # What was chosen stays chosen.
    expect(page.get_by_label("Đơn vị", exact=True)).to_have_value(str(tree["agency"].pk))
    expect(page.get_by_label("Kỳ báo cáo")).to_have_value("year")
    expect(page.get_by_label("Năm", exact=True)).to_have_value("2025")


def test_a_wrong_year_is_refused_in_vietnamese_and_kept_for_correction(login, tree, live_server):
    board = grant(tree["province"], Role.ORGANIZATION_BOARD, full_name="Lê Minh Tâm")
    page = login(board.username)
    page.goto("/dashboard/?period=year&year=1999")
    year = page.get_by_label("Năm", exact=True)
    expect(year).to_have_value("1999")
    expect(year).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("main")).to_contain_text("2000")
