"""Reading the lists an organization board keeps (XLSX workbooks or CSV files) and writing the
template to fill in.

A workbook may hold a list of units and a list of people (one row per person and post), on sheets
named as the board likes: a sheet is recognised by its header row, which may sit below a title
("DANH SÁCH CÁN BỘ ..."), and headers are matched without accents or case ("Họ và tên", "HỌ TÊN",
"ho ten"). Sheets that are neither (instructions, lookups) are skipped and said so.

The canonical headers are Vietnamese on purpose: they are the file format the boards already use,
the same whatever language the page is shown in; English headers are accepted as aliases.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kl14.text import plain_text

UNITS = "units"
PEOPLE = "people"

MAX_ROWS = 100_000  # per sheet: a province is some tens of thousands of people
HEADER_SEARCH_ROWS = 10  # a header row may sit below a title and a blank line


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # canonical (template) header
    aliases: tuple[str, ...] = ()
    required: bool = False


UNIT_COLUMNS = (
    Column("code", "Mã đơn vị", ("ma dv", "ma", "code", "unit code"), required=True),
    Column("name", "Tên đơn vị", ("ten dv", "ten", "name", "unit name"), required=True),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        ("ma don vi cha", "ma cap tren", "don vi cap tren", "parent", "parent code"),
    ),
    Column("kind", "Loại hình", ("loai", "loai don vi", "kind")),
)

PERSON_COLUMNS = (
    Column(
        "staff_code",
        "Mã cán bộ",
        ("so hieu can bo", "so hieu cbcc", "ma cbcc", "ma nhan vien", "staff code"),
    ),
    Column("full_name", "Họ và tên", ("ho ten", "ho va ten can bo", "full name"), required=True),
    Column("username", "Tên đăng nhập", ("tai khoan", "username")),
    Column("email", "Thư điện tử", ("email", "e mail", "thu dien tu cong vu", "dia chi email")),
    Column("unit_code", "Mã đơn vị", ("ma dv", "don vi", "unit code", "unit"), required=True),
    Column("role", "Vai trò", ("vai tro trong kl14", "role"), required=True),
    Column("title", "Chức vụ", ("chuc danh", "chuc vu chuc danh", "position", "title")),
    Column("started_on", "Ngày bắt đầu", ("tu ngay", "ngay nhan chuc vu", "since", "start date")),
    Column(
        "ended_on",
        "Ngày kết thúc",
        ("den ngay", "ngay thoi", "ngay thoi giu chuc vu", "until", "end date"),
    ),
    Column("reason", "Lý do kết thúc", ("ly do", "ghi chu", "reason")),
)

COLUMNS = {UNITS: UNIT_COLUMNS, PEOPLE: PERSON_COLUMNS}


def normalise(text) -> str:
    """Lower case, no Vietnamese accents, single spaces: "Họ và tên" → "ho va ten"."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _lookup(columns) -> dict[str, str]:
    names = {}
    for column in columns:
        for name in (column.header, column.key, *column.aliases):
            names[normalise(name)] = column.key
    return names


LOOKUPS = {kind: _lookup(columns) for kind, columns in COLUMNS.items()}


class UnreadableFile(Exception):
    """The upload is not a spreadsheet this importer can read (message for the user)."""


@dataclass
class Sheet:
    kind: str  # UNITS or PEOPLE
    name: str
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line number, {key: text})


@dataclass
class Workbook:
    sheets: list[Sheet] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # names of sheets that were not lists

    def rows(self, kind):
        for sheet in self.sheets:
            if sheet.kind == kind:
                for line, values in sheet.rows:
                    yield sheet.name, line, values


def cell_text(value) -> str:
    """A cell as text: dates as ISO dates, whole numbers without ".0" (staff codes typed as
    numbers), everything else made plain as a form's text is (kl14.text: no invisible characters,
    letters composed) and stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return plain_text(str(value)).strip()


def _header_kind(cells) -> tuple[str, dict[int, str]] | None:
    """The kind of list whose header this row is, and which column holds which key."""
    normalised = [normalise(c) for c in cells]
    people = {i: LOOKUPS[PEOPLE][n] for i, n in enumerate(normalised) if n in LOOKUPS[PEOPLE]}
    units = {i: LOOKUPS[UNITS][n] for i, n in enumerate(normalised) if n in LOOKUPS[UNITS]}
    if "full_name" in people.values() and "role" in people.values():
        return PEOPLE, people
    if {"code", "name"} <= set(units.values()):
        return UNITS, units
    return None


def _read_table(name: str, rows) -> Sheet | None:
    """Finds the header among the first rows, then reads the rows below it."""
    header = None
    sheet = None
    for line, cells in enumerate(rows, start=1):
        cells = [cell_text(c) for c in cells]
        if header is None:
            if line > HEADER_SEARCH_ROWS:
                return None
            found = _header_kind(cells)
            if found:
                kind, header = found
                sheet = Sheet(kind=kind, name=name)
            continue
        values = {key: cells[i] if i < len(cells) else "" for i, key in header.items()}
        if not any(values.values()):
            continue  # blank lines and the rows openpyxl reports past the data
        if len(sheet.rows) >= MAX_ROWS:
            raise UnreadableFile(
                _("The sheet “%(name)s” has more than %(max)d rows.")
                % {"name": name, "max": MAX_ROWS}
            )
        sheet.rows.append((line, values))
    return sheet


def read_workbook(upload, filename: str) -> Workbook:
    """Reads an uploaded workbook (.xlsx, the older .xls, .ods) or .csv file (UTF-8, comma or
    semicolon separated)."""
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xls", ".ods")):
        tables = _xlsx_tables(upload)
    elif lower.endswith(".csv"):
        tables = [(filename, _csv_rows(upload))]
    else:
        raise UnreadableFile(
            _("Upload an Excel workbook (.xlsx or .xls), an OpenDocument sheet (.ods) or a CSV.")
        )
    book = Workbook()
    for name, rows in tables:
        sheet = _read_table(name, rows)
        if sheet is None:
            book.skipped.append(name)
        else:
            book.sheets.append(sheet)
    if not book.sheets:
        raise UnreadableFile(
            _(
                "No list of units or people was found: the header row must name at least "
                "“Mã đơn vị” and “Tên đơn vị” (units), or “Họ và tên”, “Mã đơn vị” and "
                "“Vai trò” (people). Download the template to see the columns."
            )
        )
    return book


def _xlsx_tables(upload):
    """The visible sheets of a workbook, read by calamine (Rust): a province's 20,000 rows in about
    a second, where openpyxl's reader takes most of a minute."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(upload)
        hidden = {m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
        return [
            # From cell A1, so that line numbers are the ones the admin sees in Excel.
            (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
            if name not in hidden
        ]
    except (CalamineError, ValueError, TypeError, OSError) as error:
        raise UnreadableFile(
            _("This file is not a readable workbook (.xlsx, .xls, .ods).")
        ) from error


def _csv_rows(upload):
    data = upload.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _("Save the CSV file as UTF-8 (in Excel: “CSV UTF-8 (Comma delimited)”).")
        ) from error
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def template_workbook(role_labels, kind_labels, *, example_kinds=None) -> bytes:
    """The template to download: both lists with their headers and an example, drop-down lists
    for the role and the kind of unit, and a sheet of instructions. `example_kinds`: the labels
    the example units (a province, one of its departments) show, by default the last and the
    second kind."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = XlsxWorkbook()
    units = book.active
    units.title = "Đơn vị"
    people = book.create_sheet("Cán bộ")
    lookups = book.create_sheet("Danh mục")
    guide = book.create_sheet(_("Instructions")[:31])

    bold = Font(bold=True)
    for sheet, columns in ((units, UNIT_COLUMNS), (people, PERSON_COLUMNS)):
        sheet.append([c.header for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = bold
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(14, len(column.header) + 4)
            # Codes are text: Excel must not drop leading zeros or turn them into numbers.
            if column.key in {"code", "parent_code", "staff_code", "unit_code"}:
                for row in range(2, 2001):
                    sheet.cell(row=row, column=index).number_format = "@"
        sheet.freeze_panes = "A2"

    root_kind, department_kind = example_kinds or (
        kind_labels[-1],
        kind_labels[1] if len(kind_labels) > 1 else "",
    )
    units.append(["T01", "Tỉnh Mẫu", "", root_kind])
    units.append(["T01-SNV", "Sở Nội vụ", "T01", department_kind])
    people.append(
        [
            "000123",
            "Nguyễn Văn An",
            "",
            "an.nv@example.gov.vn",
            "T01-SNV",
            role_labels[0],
            "Chuyên viên",
            "",
            "",
            "",
        ]
    )

    for index, label in enumerate(role_labels, start=1):
        lookups.cell(row=index, column=1, value=label)
    for index, label in enumerate(kind_labels, start=1):
        lookups.cell(row=index, column=2, value=label)
    lookups.sheet_state = "hidden"
    role_list = DataValidation(
        type="list", formula1="=Danh_muc_roles", allow_blank=False, showDropDown=False
    )
    kind_list = DataValidation(type="list", formula1="=Danh_muc_kinds", allow_blank=True)
    from openpyxl.workbook.defined_name import DefinedName

    for name, column, count in (
        ("Danh_muc_roles", "A", len(role_labels)),
        ("Danh_muc_kinds", "B", len(kind_labels)),
    ):
        book.defined_names[name] = DefinedName(
            name, attr_text=f"'Danh mục'!${column}$1:${column}${count}"
        )
    people.add_data_validation(role_list)
    role_list.add("F2:F20000")
    units.add_data_validation(kind_list)
    kind_list.add("D2:D5000")

    guide.column_dimensions["A"].width = 110
    for line in instructions(role_labels, kind_labels):
        guide.append([line])
        guide.cell(row=guide.max_row, column=1).alignment = Alignment(wrap_text=True)
    guide.cell(row=1, column=1).font = bold

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def instructions(role_labels, kind_labels) -> list[str]:
    return [
        _("How to fill in this file"),
        _(
            "Sheet “Đơn vị”: one row per unit. “Mã đơn vị” is the unit's code (unique); "
            "“Mã đơn vị cấp trên” is the code of its superior unit, already in KL14 or in this "
            "file; leave it empty to keep an existing unit where it is."
        ),
        _("“Loại hình” is one of: %(kinds)s.") % {"kinds": "; ".join(kind_labels)},
        _(
            "Sheet “Cán bộ”: one row per person and post. A person with several posts has "
            "several rows with the same “Mã cán bộ”. “Vai trò” is one of: %(roles)s."
        )
        % {"roles": "; ".join(role_labels)},
        _(
            "“Tên đăng nhập” may be left empty: the staff code is used. New accounts get no "
            "password: people sign in through single sign-on or set one with “Forgot password”."
        ),
        _(
            "A person who moves or leaves: fill in “Ngày kết thúc” (and “Lý do kết thúc”) on the "
            "row of the post they leave, and add a row for their new post. The post is kept in "
            "the history; their proposals and the ledger do not change."
        ),
        _(
            "Dates are written dd/mm/yyyy. Re-importing the same file changes nothing. Nothing is "
            "written unless every row is valid: the dry run lists, row by row, what will be "
            "created, changed or refused."
        ),
    ]


def parse_date(text: str) -> datetime.date | None:
    """dd/mm/yyyy (Vietnamese usage), d-m-yyyy, or ISO yyyy-mm-dd. Raises ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        return datetime.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if not match:
        raise ValueError(text)
    day, month, year = (int(p) for p in match.groups())
    return datetime.date(year, month, day)
