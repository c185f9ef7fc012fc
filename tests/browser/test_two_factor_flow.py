"""Two-factor sign-in in Chromium: a head whose role requires it sets it up at first sign-in
(QR code or key, first code, recovery codes), then enters a code at the next sign-in."""

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts import two_factor
from tests.browser.conftest import PASSWORD
from tests.factories import grant
from units.models import Role

pytestmark = pytest.mark.browser


def code_for(secret_text: str) -> str:
    """The code an authenticator app shows now for the key typed from the page."""
    text = secret_text.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    return f"{totp(key, step=30, t0=0, digits=6):06d}"


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_head_sets_up_and_uses_two_factor_sign_in(desktop_page, live_server, tree):
    root_admin = grant(tree["province"], Role.ADMIN)
    two_factor.policy_set(actor=root_admin, roles=[Role.HEAD])
    head = grant(tree["agency"], Role.HEAD, full_name="Phạm Thị Hoa")
    page = desktop_page

    sign_in(page, head.username)
    expect(page.get_by_role("heading", name="Thiết lập xác thực hai lớp")).to_be_visible()
    expect(page.get_by_role("img", name="Mã QR")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Mã từ ứng dụng").fill(code_for(secret))
    page.get_by_role("button", name="Bật").click()
    expect(page.get_by_role("heading", name="Mã dự phòng")).to_be_visible()
    codes = page.locator(".recovery-code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Tôi đã lưu lại: tiếp tục").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Phạm Thị Hoa")).to_be_visible()

    page.get_by_role("button", name="Phạm Thị Hoa").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    sign_in(page, head.username)
    expect(page.get_by_role("heading", name="Xác thực lớp thứ hai")).to_be_visible()
    page.get_by_label("Mã", exact=True).fill(codes[0])  # a recovery code, once
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("Bạn đã dùng một mã dự phòng; còn lại 9 mã.")).to_be_visible()
