"""Single sign-on in Chromium, against a real OpenID Connect provider (django-oauth-toolkit in a
subprocess, tests/sso/provider.py): the person clicks the SSO button, signs in at the province's
portal, authorises KL14, and lands on their home page; someone KL14 does not know is turned back
with the reason, and no account appears."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import grant
from tests.sso.conftest import IDP_PASSWORD, PEOPLE, oidc_provider  # noqa: F401 - the fixture
from units.models import Role

pytestmark = pytest.mark.browser


def sign_in_at_the_portal(page, username):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Đăng nhập một lần (SSO)").click()
    expect(page.get_by_role("heading", name="Cổng đăng nhập một lần của tỉnh")).to_be_visible()
    page.get_by_label("Tài khoản").fill(username)
    page.get_by_label("Mật khẩu").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Đăng nhập cổng tỉnh").click()
    page.get_by_role("button", name="Authorize").click()


def test_staff_sign_in_through_the_provider(desktop_page, live_server, oidc_provider, tree):  # noqa: F811
    an = grant(tree["agency"], Role.HEAD, full_name="Nguyễn Văn An", email=PEOPLE[0]["email"])
    sign_in_at_the_portal(desktop_page, "an.nv")
    desktop_page.wait_for_url(f"{live_server.url}/")
    expect(desktop_page.get_by_role("button", name="Nguyễn Văn An")).to_be_visible()
    expect(desktop_page.get_by_text("Người đứng đầu").first).to_be_visible()
    an.refresh_from_db()
    assert an.sso_subject


def test_someone_kl14_does_not_know_is_turned_back(desktop_page, oidc_provider, tree):  # noqa: F811
    accounts = User.objects.count()
    sign_in_at_the_portal(desktop_page, "la.mat")
    desktop_page.wait_for_url(re.compile(r"/accounts/login/$"))
    expect(desktop_page.get_by_role("alert").or_(desktop_page.locator(".alert"))).to_contain_text(
        "Không có tài khoản KL14 nào khớp"
    )
    assert User.objects.count() == accounts
