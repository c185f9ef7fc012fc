"""Spreadsheets for the import tests, built with openpyxl as a board's office would save them."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

UNIT_HEADER = ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại hình"]
PERSON_HEADER = [
    "Mã cán bộ",
    "Họ và tên",
    "Tên đăng nhập",
    "Thư điện tử",
    "Mã đơn vị",
    "Vai trò",
    "Chức vụ",
    "Ngày bắt đầu",
    "Ngày kết thúc",
    "Lý do kết thúc",
]


def xlsx(units=(), people=(), *, title_rows=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Đơn vị"
    for row in title_rows:
        sheet.append(row)
    sheet.append(UNIT_HEADER)
    for row in units:
        sheet.append(list(row))
    people_sheet = book.create_sheet("Cán bộ")
    people_sheet.append(PERSON_HEADER)
    for row in people:
        people_sheet.append(list(row) + [""] * (len(PERSON_HEADER) - len(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name="danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def person(code, name, unit, role="Cán bộ", **cells):
    """A row of the people's sheet."""
    row = dict.fromkeys(PERSON_HEADER, "")
    row.update({"Mã cán bộ": code, "Họ và tên": name, "Mã đơn vị": unit, "Vai trò": role})
    keys = {
        "username": "Tên đăng nhập",
        "email": "Thư điện tử",
        "title": "Chức vụ",
        "since": "Ngày bắt đầu",
        "until": "Ngày kết thúc",
        "reason": "Lý do kết thúc",
    }
    for key, value in cells.items():
        row[keys[key]] = value
    return [row[h] for h in PERSON_HEADER]
