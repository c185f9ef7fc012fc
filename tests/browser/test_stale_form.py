"""A form opened before its reader signed in again elsewhere (kl14.errors.csrf_failure): the
cadre writes in one tab, signs out and in again in another, then saves the first tab's form.
Django answered with its English "CSRF verification failed" and the text was lost; now the page
says why in Vietnamese, keeps what was typed, and one click on a visible button saves it."""

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal
from tests.browser.conftest import PASSWORD
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.browser


def test_a_form_opened_before_signing_in_again_is_kept_and_saved(login, live_server, tree):
    cadre = grant(tree["agency"], Role.CADRE, username="canbo", full_name="Trần Thị Bình")
    writing = login(cadre.username)
    writing.goto("/proposals/new/")
    writing.get_by_label("Tên đề xuất").fill("Số hóa hồ sơ một cửa cấp xã")

    # Another tab of the same browser: sign out, sign in again (a new security code).
    other = writing.context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Trần Thị Bình").click()
    other.get_by_role("button", name="Đăng xuất").click()
    other.wait_for_url("**/accounts/login/**")
    login(cadre.username, PASSWORD, page=other)

    writing.get_by_role("button", name="Lưu nháp").click()
    expect(writing.get_by_role("alert")).to_contain_text(
        "Biểu mẫu chưa được gửi và chưa có gì được lưu"
    )
    assert Proposal.objects.count() == 0
    again = writing.get_by_role("button", name="Gửi lại")
    expect(again).to_be_visible()
    again.click()
    expect(writing.get_by_role("status").first).to_be_visible()
    assert list(Proposal.objects.values_list("title", flat=True)) == ["Số hóa hồ sơ một cửa cấp xã"]
