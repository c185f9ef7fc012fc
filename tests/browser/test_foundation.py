"""The foundation in a real browser: sign-in, home, language switch, keyboard, phone layout, 404."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories.units import UserFactory, grant
from units.models import Role

pytestmark = pytest.mark.browser

KL14_RED = "rgb(139, 26, 26)"


def background(locator):
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_sign_in_page_is_vietnamese_styled_and_labelled(desktop_page):
    page = desktop_page
    response = page.goto("/accounts/login/")
    assert response.status == 200

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_title(re.compile("Đăng nhập"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập KL14")
    # Every input has a label, and the username field has the focus.
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    expect(page.get_by_label("Mật khẩu", exact=True)).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    # The CSS (ours and Bootstrap's) and the scripts are served.
    assert background(page.locator("nav.navbar")) == KL14_RED
    assert background(page.get_by_role("button", name="Đăng nhập")) == "rgb(13, 110, 253)"
    assert page.evaluate("typeof window.bootstrap === 'object' && typeof window.htmx === 'object'")


def test_wrong_password_shows_the_error_and_stays_on_the_sign_in_page(desktop_page, live_server):
    user = UserFactory()
    page = desktop_page
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    assert page.url == f"{live_server.url}/accounts/login/"
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(user.username)
    expect(page.get_by_label("Mật khẩu", exact=True)).to_have_value("")
    assert User.objects.get(pk=user.pk).last_login is None


def test_head_of_a_unit_signs_in_and_sees_the_unit_and_role(login, tree):
    head = grant(tree["agency"], Role.HEAD, full_name="Nguyễn Văn An")
    page = login(head.username)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Văn An")
    expect(page.get_by_role("heading", name="Đơn vị và vai trò của bạn")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=tree["agency"].name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Người đứng đầu")
    expect(page.get_by_role("navigation", name="Điều hướng chính")).to_be_visible()
    assert background(page.locator("nav.navbar")) == KL14_RED


def test_language_switch_in_the_footer_turns_english_and_sticks(login, tree):
    user = grant(tree["office"], Role.CADRE)
    page = login(user.username)

    footer = page.locator("footer")
    footer.get_by_label("Ngôn ngữ").select_option("en")
    footer.get_by_role("button", name="Chuyển").click()

    expect(page.get_by_role("heading", name="Your units and roles")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("heading", name="Your units and roles")).to_be_visible()
    page.goto("/accounts/password/change/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get(pk=user.pk).language == "en"


def test_first_tab_focuses_the_skip_link_which_jumps_to_the_main_content(login, tree):
    user = grant(tree["office"], Role.CADRE)
    page = login(user.username)
    page.goto("/")  # a fresh load: nothing focused yet

    skip = page.get_by_role("link", name="Chuyển đến nội dung chính")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # visually hidden until focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_phone_navbar_collapses_behind_the_toggler(phone_page, login, tree):
    user = grant(tree["office"], Role.CADRE, full_name="Trần Thị Bình")
    page = login(user.username, page=phone_page)

    toggler = page.get_by_role("button", name="Mở/đóng menu")
    home_link = page.get_by_role("navigation").get_by_role("link", name="Trang chủ")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(home_link).to_be_hidden()

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(home_link).to_be_visible()
    # Bootstrap animates the collapse; a click during the animation can land on a moving target.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(page.locator("#main-nav.collapsing")).to_have_count(0)
    page.get_by_role("button", name="Trần Thị Bình").click()
    sign_out = page.get_by_role("button", name="Đăng xuất")
    expect(sign_out).to_be_visible()
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    sign_out.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_desktop_navbar_shows_links_without_toggler(login, tree):
    user = grant(tree["office"], Role.CADRE)
    page = login(user.username)
    expect(page.get_by_role("button", name="Mở/đóng menu")).to_be_hidden()
    expect(page.get_by_role("navigation").get_by_role("link", name="Trang chủ")).to_be_visible()


def test_not_found_page_is_styled_and_vietnamese(desktop_page):
    page = desktop_page
    response = page.goto("/khong-co-trang-nay/")
    assert response.status == 404

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy trang")
    expect(page.get_by_role("link", name="Về trang chủ")).to_be_visible()
    assert background(page.locator("nav.navbar")) == KL14_RED
