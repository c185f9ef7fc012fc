"""A unit admin onboards an office's staff from a spreadsheet, in Chromium: template, upload,
dry run row by row, confirmation, and the report on a phone."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import grant
from tests.onboarding.helpers import person, xlsx
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.browser


def test_admin_imports_units_and_staff_after_a_dry_run(login, tree, tmp_path):
    admin = grant(tree["agency"], Role.ADMIN, full_name="Lê Quản Trị")
    page = login(admin.username)
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("button", name="Khác").click()
    nav.get_by_role("link", name="Nhập từ bảng tính").click()
    expect(page.get_by_role("heading", name="Nhập từ bảng tính", level=1)).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp mẫu (.xlsx)").click()
    assert download.value.suggested_filename == "kl14-mau-nhap-lieu.xlsx"

    good = tmp_path / "danh-sach-can-bo.xlsx"
    good.write_bytes(
        xlsx(
            units=[("P-A-X", "Chi cục Văn thư", "P-A", "Đơn vị sự nghiệp")],
            people=[
                person("CB001", "Nguyễn Văn An", "P-A-X", "Người đứng đầu", title="Chi cục trưởng"),
                person("CB002", "Trần Thị Bình", "P-A-X", "Cán bộ"),
                person("CB003", "Phạm Văn Cường", "P-C", "Cán bộ"),  # outside the subtree
            ],
        )
    )
    page.get_by_label("Tệp bảng tính").set_input_files(str(good))
    page.get_by_role("button", name="Chạy thử").click()
    expect(page.get_by_text("1 dòng bị từ chối: sẽ không ghi gì.")).to_be_visible()
    refused = page.get_by_role("row").filter(has_text="CB003")
    expect(refused).to_contain_text("Bị từ chối")
    expect(refused).to_contain_text("Đơn vị P-C nằm ngoài phạm vi đơn vị bạn quản trị.")
    expect(page.get_by_role("button", name="Xác nhận và nhập")).to_have_count(0)
    assert not Unit.objects.filter(code="P-A-X").exists()

    good.write_bytes(
        xlsx(
            units=[("P-A-X", "Chi cục Văn thư", "P-A", "Đơn vị sự nghiệp")],
            people=[
                person("CB001", "Nguyễn Văn An", "P-A-X", "Người đứng đầu", title="Chi cục trưởng"),
                person("CB002", "Trần Thị Bình", "P-A-X", "Cán bộ"),
            ],
        )
    )
    page.get_by_role("navigation", name="Đường dẫn").get_by_role("link").click()
    page.get_by_label("Tệp bảng tính").set_input_files(str(good))
    page.get_by_role("button", name="Chạy thử").click()
    expect(page.get_by_text("Chạy thử: chưa có gì được ghi.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="CB001")
    expect(row).to_contain_text("Tạo mới")
    expect(row).to_contain_text("Nhận vai trò Người đứng đầu tại Chi cục Văn thư (Chi cục trưởng).")
    page.get_by_role("link", name=re.compile(r"^Tạo mới \(3\)")).click()
    expect(page.get_by_role("row")).to_have_count(4)  # the header and three rows

    page.get_by_role("button", name="Xác nhận và nhập").click()
    expect(page.get_by_text("Đã nhập tệp.")).to_be_visible()
    unit = Unit.objects.get(code="P-A-X")
    an = User.objects.get(staff_code="CB001")
    assert Membership.objects.get(user=an).unit == unit


def test_the_report_fits_a_phone(phone_page, login, tree):
    from onboarding.services import import_plan
    from tests.onboarding.helpers import upload

    admin = grant(tree["agency"], Role.ADMIN)
    long_name = "Trung tâm Phục vụ hành chính công và Chuyển đổi số " * 3
    batch = import_plan(
        actor=admin,
        upload=upload(xlsx(units=[("P-A-LONGCODE-0001", long_name.strip(), "P-A", "")])),
        filename="mot-ten-tep-rat-dai-cua-ban-to-chuc-tinh-nam-2026.xlsx",
    )
    page = login(admin.username, page=phone_page)
    page.goto(batch.get_absolute_url())
    expect(page.get_by_role("button", name="Xác nhận và nhập")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
