import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from onboarding.models import ImportBatch
from onboarding.services import import_plan
from tests.factories import UserFactory, grant
from units.models import Role, Unit

from .helpers import person, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_admin(client, tree):
    user = grant(tree["agency"], Role.ADMIN)
    client.force_login(user)
    return user


def test_the_page_is_for_admins_only(client, tree):
    client.force_login(grant(tree["agency"], Role.HEAD))
    assert client.get(reverse("onboarding:index")).status_code == 404
    assert client.get(reverse("onboarding:template")).status_code == 404


def test_upload_dry_run_then_import(client, tree, agency_admin):
    data = xlsx(people=[person("CB1", "Nguyễn Văn An", "P-A", title="Chuyên viên")])
    response = client.post(reverse("onboarding:index"), {"file": upload(data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Chạy thử: chưa có gì được ghi" in page
    assert "Nhận vai trò Cán bộ tại Sở (Chuyên viên)." in page
    assert "Xác nhận và nhập" in page
    response = client.post(reverse("onboarding:apply", args=[batch.pk]))
    assert response.status_code == 302
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Đã nhập tệp." in page
    assert "Xác nhận và nhập" not in page
    # Importing twice answers 409 and changes nothing.
    assert client.post(reverse("onboarding:apply", args=[batch.pk])).status_code == 409


def test_an_unreadable_file_answers_400_with_the_reason(client, tree, agency_admin):
    response = client.post(
        reverse("onboarding:index"), {"file": upload(b"%PDF-1.7", "danh-sach.xlsx")}
    )
    assert response.status_code == 400
    assert "Không đọc được tệp bảng tính này (.xlsx, .xls, .ods)." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_refused_file_offers_no_import(client, tree, agency_admin):
    data = xlsx(people=[person("CB1", "An", "P-C")])
    client.post(reverse("onboarding:index"), {"file": upload(data)})
    batch = ImportBatch.objects.get()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "1 dòng bị từ chối: sẽ không ghi gì." in page
    assert "Đơn vị P-C nằm ngoài phạm vi đơn vị bạn quản trị." in page
    assert "Xác nhận và nhập" not in page
    assert client.post(reverse("onboarding:apply", args=[batch.pk])).status_code == 409


def test_another_admins_import_is_not_found(client, tree, agency_admin):
    other = grant(tree["agency"], Role.ADMIN)
    batch = import_plan(actor=other, upload=upload(xlsx(people=[])), filename="a.xlsx")
    assert client.get(batch.get_absolute_url()).status_code == 404
    assert client.post(reverse("onboarding:apply", args=[batch.pk])).status_code == 404


def test_the_template_reads_back_as_a_valid_file(client, tree):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.get(reverse("onboarding:template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["Cán bộ"][1]][:6] == [
        "Mã cán bộ",
        "Họ và tên",
        "Tên đăng nhập",
        "Thư điện tử",
        "Mã đơn vị",
        "Vai trò",
    ]
    assert "Cán bộ" in [r[0].value for r in book["Danh mục"].iter_rows()]
    kinds = [r[1].value for r in book["Danh mục"].iter_rows() if r[1].value]
    assert "Cơ quan tham mưu, giúp việc của cấp ủy" in kinds
    assert "Ủy ban kiểm tra của cấp ủy" in kinds
    # The examples keep their kinds whatever the order of the list.
    examples = {r[0].value: r[3].value for r in book["Đơn vị"].iter_rows(min_row=2) if r[0].value}
    assert examples == {"T01": "Khác", "T01-SNV": "Cơ quan nhà nước"}
    batch = import_plan(actor=root, upload=upload(response.content), filename="mau.xlsx")
    assert batch.status == ImportBatch.Status.PLANNED, list(batch.rows.values("messages"))
    assert batch.skipped_sheets == ["Hướng dẫn"]  # the lookups sheet is hidden, not read
    assert batch.summary["units_created"] == 2


@pytest.mark.parametrize("name", ["don-vi", "can-bo"])
def test_csv_templates(client, tree, agency_admin, name):
    response = client.get(reverse("onboarding:template_csv", args=[name]))
    assert response.status_code == 200
    assert response.content.startswith("\ufeffMã".encode())


def test_the_report_page_runs_a_fixed_number_of_queries(client, tree, agency_admin):
    def queries(size):
        people = [person(f"R{size}-{i}", f"Người {i}", "P-A") for i in range(size)]
        batch = import_plan(
            actor=agency_admin, upload=upload(xlsx(people=people)), filename=f"{size}.xlsx"
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(batch.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    # A first page holding every row (50 a page) is its own count (kl14.paging): one query less.
    assert queries(3) + 1 == queries(70) == queries(120)


def test_the_index_lists_the_admins_imports(client, tree, agency_admin):
    import_plan(actor=agency_admin, upload=upload(xlsx(people=[])), filename="cua-toi.xlsx")
    other = grant(tree["agency"], Role.ADMIN)
    import_plan(actor=other, upload=upload(xlsx(people=[])), filename="nguoi-khac.xlsx")
    page = client.get(reverse("onboarding:index")).content.decode()
    assert "cua-toi.xlsx" in page
    assert "nguoi-khac.xlsx" not in page
    assert Unit.objects.count() == 4
