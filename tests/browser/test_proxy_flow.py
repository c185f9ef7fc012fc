"""The reverse proxy's own error pages in a real browser (issue 12, kl14/proxy.py): a cadre
working through nginx meets the web process down, gets a page in Vietnamese that says what
happened and what to do, and once the process is back, its "open the page again" brings the page
back, still signed in. On a phone the page fits the screen; with the English switch it is in
English."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.factories.units import grant
from tests.nginx import nginx
from tests.servers import free_port
from units.models import Role

pytestmark = pytest.mark.browser


def test_a_cadre_meets_the_web_process_down_then_comes_back(
    desktop_page, live_server, tree, tmp_path
):
    cadre = grant(tree["agency"], Role.CADRE, full_name="Nguyễn Thị Hoa")
    app = live_server.url.removeprefix("http://")
    with nginx(tmp_path, web=app, heavy=app) as px:
        page = desktop_page
        page.goto(f"{px.url}/accounts/login/")
        page.locator("#id_username").fill(cadre.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form[action='/accounts/login/'] [type=submit]").click()
        page.wait_for_url(f"{px.url}/")

        px.reload(web=f"127.0.0.1:{free_port()}", heavy=app)  # the web process is down
        menu = page.get_by_role("navigation", name="Điều hướng chính")
        menu.get_by_role("link", name="Đề xuất của tôi").click()
        expect(
            page.get_by_role("heading", name="Hệ thống KL14 tạm thời chưa phản hồi")
        ).to_be_visible()
        expect(page.get_by_text("Máy chủ đang bận hoặc đang khởi động lại.")).to_be_visible()
        assert page.title() == "Hệ thống KL14 tạm thời chưa phản hồi · KL14"
        # Keyboard first: the first Tab reaches "open the page again".
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Mở lại trang")).to_be_focused()

        px.reload(web=app, heavy=app)  # back
        page.get_by_role("link", name="Mở lại trang").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.url == f"{px.url}/proposals/"
        expect(page.get_by_text("Nguyễn Thị Hoa")).to_be_visible()  # still signed in


def test_the_error_page_fits_a_phone_and_follows_the_english_switch(
    phone_page, live_server, tmp_path
):
    dead = f"127.0.0.1:{free_port()}"
    with nginx(tmp_path, web=dead, heavy=dead) as px:
        page = phone_page
        response = page.goto(f"{px.url}/proposals/")
        assert response.status == 502
        home = page.get_by_role("link", name="Về trang chủ")
        expect(home).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.context.add_cookies([{"name": "kl14_language", "value": "en", "url": px.url}])
        page.reload()
        expect(page.get_by_role("heading", name="KL14 is not answering right now")).to_be_visible()
        expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
