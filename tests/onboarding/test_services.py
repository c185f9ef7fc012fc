"""Spreadsheet imports: the dry run row by row, all-or-nothing imports, idempotence, the admin's
subtree, moves and departures (history kept, ledger untouched)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from kl14.errors import Conflict, Forbidden, Invalid
from ledger.models import LedgerEntry
from onboarding.models import Action, ImportBatch, ImportRow
from onboarding.selectors import ended_posts
from onboarding.services import import_apply, import_plan
from tests.factories import UserFactory, grant
from tests.factories.proposals import ProposalFactory, under_review
from units.models import Membership, PastMembership, Role, Unit
from units.roles import user_roles

from .helpers import person, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_admin(tree):
    return grant(tree["agency"], Role.ADMIN, username="sonv.admin")


def plan(actor, data, name="danh-sach.xlsx"):
    return import_plan(actor=actor, upload=upload(data, name), filename=name)


def rows(batch):
    return {(r.sheet, r.line): r for r in batch.rows.all()}


def test_dry_run_says_row_by_row_what_will_happen_and_writes_nothing(tree, agency_admin):
    data = xlsx(
        # The office is listed before its parent: the order of the rows does not matter.
        units=[
            ("P-A-X-1", "Phòng Một", "P-A-X", "Cơ quan nhà nước"),
            ("P-A-X", "Chi cục Văn thư", "P-A", "Đơn vị sự nghiệp"),
            ("P-A-O", "Phòng Tổ chức cán bộ", "", ""),
        ],
        people=[
            person("CB001", "Nguyễn Văn An", "P-A-X", "Người đứng đầu", title="Chi cục trưởng"),
            person("CB001", "Nguyễn Văn An", "P-A-X-1", "Cán bộ"),
            person("CB002", "Trần Thị Bình", "P-A-O", "Cấp phó", email="binh@example.vn"),
        ],
    )
    batch = plan(agency_admin, data)
    assert batch.status == ImportBatch.Status.PLANNED
    by_line = rows(batch)
    assert by_line[("Đơn vị", 2)].action == Action.CREATE
    assert by_line[("Đơn vị", 3)].action == Action.CREATE
    office = by_line[("Đơn vị", 4)]
    assert office.action == Action.UPDATE
    assert office.messages == ["Tên: “Phòng” → “Phòng Tổ chức cán bộ”."]
    first = by_line[("Cán bộ", 2)]
    assert first.action == Action.CREATE
    assert first.messages == [
        "Tài khoản mới cb001.",
        "Nhận vai trò Người đứng đầu tại Chi cục Văn thư (Chi cục trưởng).",
    ]
    assert batch.summary["units_created"] == 2
    assert batch.summary["accounts_created"] == 2
    assert batch.summary["memberships_created"] == 3
    # A dry run writes its report only.
    assert not Unit.objects.filter(code__startswith="P-A-X").exists()
    assert not User.objects.filter(staff_code__in=["CB001", "CB002"]).exists()
    assert Unit.objects.get(code="P-A-O").name == "Phòng"


def test_import_writes_the_plan_and_a_second_import_changes_nothing(tree, agency_admin):
    data = xlsx(
        units=[
            ("P-A-X-1", "Phòng Một", "P-A-X", "Cơ quan nhà nước"),
            ("P-A-X", "Chi cục Văn thư", "P-A", "Đơn vị sự nghiệp"),
        ],
        people=[
            person("CB001", "Nguyễn Văn An", "P-A-X", "Người đứng đầu", title="Chi cục trưởng"),
            person("CB001", "Nguyễn Văn An", "P-A-X-1", "cadre", since="01/02/2026"),
            person("CB002", "Trần Thị Bình", "P-A-X-1", "Cấp phó", username="binh.tt"),
        ],
    )
    import_apply(actor=agency_admin, batch=plan(agency_admin, data))
    parent = Unit.objects.get(code="P-A-X")
    child = Unit.objects.get(code="P-A-X-1")
    assert parent.path.startswith(tree["agency"].path)
    assert child.path.startswith(parent.path)
    assert parent.kind == Unit.Kind.PUBLIC_SERVICE
    an = User.objects.get(staff_code="CB001")
    assert an.username == "cb001"
    assert not an.has_usable_password()
    assert user_roles(an).has(parent, Role.HEAD)
    cadre = Membership.objects.get(user=an, unit=child)
    assert (cadre.role, cadre.started_on) == (Role.CADRE, datetime.date(2026, 2, 1))
    assert User.objects.get(staff_code="CB002").username == "binh.tt"

    counts = (Unit.objects.count(), User.objects.count(), Membership.objects.count())
    again = plan(agency_admin, data)
    assert {r.action for r in again.rows.all()} == {Action.UNCHANGED}
    import_apply(actor=agency_admin, batch=again)
    assert (Unit.objects.count(), User.objects.count(), Membership.objects.count()) == counts


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Cơ quan tham mưu, giúp việc của cấp ủy", Unit.Kind.PARTY_ADVISORY),
        ("co quan tham muu giup viec cua cap uy", Unit.Kind.PARTY_ADVISORY),
        ("Ban Đảng", Unit.Kind.PARTY_ADVISORY),
        ("Ủy ban kiểm tra của cấp ủy", Unit.Kind.PARTY_INSPECTION),
        ("Ủy ban kiểm tra", Unit.Kind.PARTY_INSPECTION),
        ("party_inspection", Unit.Kind.PARTY_INSPECTION),
        ("Advisory and support body of a Party committee", Unit.Kind.PARTY_ADVISORY),
    ],
)
def test_the_bodies_of_a_party_committee_are_imported_with_their_kind(
    tree, agency_admin, written, kind
):
    data = xlsx(
        units=[("P-A-TU", "Đảng ủy Sở", "P-A", "Cấp ủy"), ("P-A-TU-B", "Ban", "P-A-TU", written)]
    )
    batch = plan(agency_admin, data)
    assert batch.status == ImportBatch.Status.PLANNED, list(batch.rows.values("messages"))
    import_apply(actor=agency_admin, batch=batch)
    assert Unit.objects.get(code="P-A-TU").kind == Unit.Kind.PARTY_COMMITTEE
    assert Unit.objects.get(code="P-A-TU-B").kind == kind


def test_one_refused_row_refuses_the_whole_file(tree, agency_admin):
    data = xlsx(
        units=[("P-A-X", "Chi cục", "P-A", "")],
        people=[
            person("CB001", "Nguyễn Văn An", "P-A-X"),
            person("CB002", "Trần Thị Bình", "P-A-X", "Chủ nhiệm hợp tác xã"),
        ],
    )
    batch = plan(agency_admin, data)
    assert batch.status == ImportBatch.Status.INVALID
    refused = batch.rows.get(action=Action.REFUSED)
    assert (refused.sheet, refused.line) == ("Cán bộ", 3)
    assert refused.messages == ["Vai trò “Chủ nhiệm hợp tác xã” không có trong KL14."]
    with pytest.raises(Conflict):
        import_apply(actor=agency_admin, batch=batch)
    assert not Unit.objects.filter(code="P-A-X").exists()
    assert not User.objects.filter(staff_code="CB001").exists()


@pytest.mark.parametrize(
    ("units", "people", "message"),
    [
        ([("P-C-1", "Thôn", "P-C", "")], [], "Đơn vị cấp trên P-C nằm ngoài"),
        ([("P-C", "Xã mới", "", "")], [], "Đơn vị P-C nằm ngoài"),
        ([("P-A-Y", "Phòng", "P-Z", "")], [], "Không có đơn vị nào mã P-Z."),
        ([("NEW", "Gốc mới", "", "")], [], "cần mã đơn vị cấp trên"),
        (
            [("P-A-Y", "Y", "P-A-Z", ""), ("P-A-Z", "Z", "P-A-Y", "")],
            [],
            "tạo thành vòng lặp",
        ),
        ([("P-A-Y", "Y", "P-A", ""), ("P-A-Y", "Y2", "P-A", "")], [], "đã có ở dòng 2"),
        ([("P-A-Y", "Y", "P-A", "Tập đoàn")], [], "Loại hình đơn vị “Tập đoàn”"),
        ([], [person("CB9", "Lê Văn C", "P-C")], "Đơn vị P-C nằm ngoài"),
        ([], [person("CB9", "", "P-A")], "Họ và tên để trống."),
        ([], [person("", "Lê Văn C", "P-A")], "Cần mã cán bộ"),
        ([], [person("CB9", "Lê Văn C", "P-A", email="khong-phai-thu")], "không phải"),
        ([], [person("CB9", "Lê Văn C", "P-A", since="31/02/2026")], "không phải là ngày"),
        (
            [],
            [person("CB9", "Lê Văn C", "P-A"), person("CB9", "Lê Văn D", "P-A-O")],
            "khác với dòng 2",
        ),
        (
            [],
            [person("CB9", "Lê Văn C", "P-A"), person("CB9", "Lê Văn C", "P-A")],
            "đã có ở dòng 2",
        ),
        ([], [person("CB9", "Lê Văn C", "P-A", until="01/01/2026")], "Không có chức vụ này"),
    ],
)
def test_refusals(tree, agency_admin, units, people, message):
    batch = plan(agency_admin, xlsx(units=units, people=people))
    assert batch.status == ImportBatch.Status.INVALID
    messages = [m for r in batch.rows.filter(action=Action.REFUSED) for m in r.messages]
    assert any(message in m for m in messages), messages


def test_a_unit_admin_cannot_touch_people_who_also_serve_outside_their_subtree(tree, agency_admin):
    outsider = grant(tree["commune"], Role.HEAD, username="xa.head")
    outsider.staff_code = "CB7"
    outsider.save()
    data = xlsx(people=[person("CB7", outsider.full_name, "P-A", "Cán bộ")])
    batch = plan(agency_admin, data)
    assert batch.status == ImportBatch.Status.INVALID
    assert "quản trị viên của đơn vị cấp trên" in batch.rows.get().messages[0]
    root_admin = grant(tree["province"], Role.ADMIN)
    import_apply(actor=root_admin, batch=plan(root_admin, data))
    assert user_roles(outsider).has(tree["agency"], Role.CADRE)


def test_existing_accounts_are_matched_by_staff_code_then_username(tree, agency_admin):
    known = UserFactory(username="an.nv", full_name="Nguyễn Văn An", staff_code=None)
    data = xlsx(people=[person("CB001", "Nguyễn Văn Ân", "P-A", username="an.nv")])
    batch = plan(agency_admin, data)
    row = batch.rows.get()
    assert row.action == Action.CREATE  # the membership is new; the account is changed
    assert "Mã cán bộ: “—” → “CB001”." in row.messages
    assert "Họ và tên: “Nguyễn Văn An” → “Nguyễn Văn Ân”." in row.messages
    import_apply(actor=agency_admin, batch=batch)
    known.refresh_from_db()
    assert (known.staff_code, known.full_name) == ("CB001", "Nguyễn Văn Ân")
    assert User.objects.filter(username="an.nv").count() == 1


def test_an_email_of_another_account_is_refused(tree, agency_admin):
    UserFactory(username="other", email="an@example.vn")
    batch = plan(agency_admin, xlsx(people=[person("CB1", "An", "P-A", email="AN@example.vn")]))
    assert "đã là của tài khoản other" in batch.rows.get().messages[0]


def test_moving_and_leaving_end_memberships_into_the_history_and_leave_the_ledger_alone(
    tree, agency_admin
):
    head = grant(tree["office"], Role.HEAD, username="phong.head")
    head.staff_code = "CB100"
    head.save()
    author = grant(tree["office"], Role.CADRE, username="phong.cadre")
    author.staff_code = "CB200"
    author.save()
    proposal = under_review(
        ProposalFactory(created_by=author, home_unit=tree["office"]), author, head
    )
    Membership.objects.filter(user__in=[head, author]).update(started_on=datetime.date(2020, 1, 1))
    ledger_before = list(LedgerEntry.objects.order_by("pk").values_list("pk", "hash"))
    assert ledger_before

    data = xlsx(
        people=[
            # The head retires; the author moves to the agency.
            person(
                "CB100",
                head.full_name,
                "P-A-O",
                "Người đứng đầu",
                until="15/03/2026",
                reason="Nghỉ hưu",
            ),
            person(
                "CB200", author.full_name, "P-A-O", "Cán bộ", until="15/03/2026", reason="Điều động"
            ),
            person("CB200", author.full_name, "P-A", "Cán bộ"),
        ]
    )
    batch = plan(agency_admin, data)
    assert batch.status == ImportBatch.Status.PLANNED
    ending = rows(batch)[("Cán bộ", 2)]
    assert ending.action == Action.END
    assert ending.messages == [
        "Thôi giữ vai trò Người đứng đầu tại Phòng từ 15/03/2026 (vẫn lưu trong lịch sử)."
    ]
    posts = {p.user.username: p for p in ended_posts(batch)}
    assert [t.proposal.pk for t in posts["phong.head"].tasks] == [proposal.pk]
    assert posts["phong.head"].uncovered  # nobody else heads the office
    assert [(t.proposal.pk, t.why) for t in posts["phong.cadre"].tasks] == [(proposal.pk, "author")]

    import_apply(actor=agency_admin, batch=batch)
    assert not user_roles(User.objects.get(pk=head.pk)).has(tree["office"], Role.HEAD)
    past = PastMembership.objects.get(user=head)
    assert (past.unit_id, past.role, past.ended_on, past.reason, past.ended_by_id) == (
        tree["office"].pk,
        Role.HEAD,
        datetime.date(2026, 3, 15),
        "Nghỉ hưu",
        agency_admin.pk,
    )
    assert Membership.objects.filter(user=author, unit=tree["agency"]).exists()
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", "hash")) == ledger_before
    # After the import the tasks are still listed, for the handover.
    assert [t.proposal.pk for t in ended_posts(batch)[0].tasks] == [proposal.pk]

    # The same file again: the posts have already ended, nothing changes.
    again = plan(agency_admin, data)
    assert again.status == ImportBatch.Status.PLANNED
    assert again.rows.get(line=2).messages == ["Chức vụ này đã kết thúc trước đó."]
    import_apply(actor=agency_admin, batch=again)
    assert PastMembership.objects.count() == 2


def test_the_import_refuses_when_the_database_changed_since_the_dry_run(tree, agency_admin):
    data = xlsx(units=[("P-A-X", "Chi cục", "P-A", "")], people=[person("CB1", "An", "P-A-X")])
    batch = plan(agency_admin, data)
    UserFactory(username="cb1")  # someone took the username meanwhile
    with pytest.raises(Conflict):
        import_apply(actor=agency_admin, batch=batch)
    assert not Unit.objects.filter(code="P-A-X").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PLANNED


def test_a_batch_is_imported_once_and_only_by_its_uploader(tree, agency_admin):
    batch = plan(agency_admin, xlsx(people=[person("CB1", "An", "P-A")]))
    other = grant(tree["agency"], Role.ADMIN)
    with pytest.raises(Forbidden):
        import_apply(actor=other, batch=batch)
    import_apply(actor=agency_admin, batch=batch)
    with pytest.raises(Conflict):
        import_apply(actor=agency_admin, batch=batch)


def test_only_admins_import(tree):
    cadre = grant(tree["agency"], Role.CADRE)
    with pytest.raises(Forbidden):
        plan(cadre, xlsx(people=[person("CB1", "An", "P-A")]))


def test_headers_below_a_title_without_accents_and_other_sheets_skipped(tree, agency_admin):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Điền danh sách vào trang sau"])
    sheet = book.create_sheet("DS CBCC 2026")
    sheet.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC SỞ"])
    sheet.append([])
    sheet.append(["STT", "HO TEN", "So hieu can bo", "MA DV", "VAI TRO", "Chuc danh"])
    sheet.append([1, "Phạm Văn Dũng", 12345.0, "P-A", "Chuyên viên", "Chuyên viên chính"])
    out = io.BytesIO()
    book.save(out)
    batch = plan(agency_admin, out.getvalue())
    assert batch.skipped_sheets == ["Hướng dẫn"]
    row = batch.rows.get()
    assert (row.sheet, row.line, row.action) == ("DS CBCC 2026", 4, Action.CREATE)
    import_apply(actor=agency_admin, batch=batch)
    user = User.objects.get(staff_code="12345")
    assert Membership.objects.get(user=user).title == "Chuyên viên chính"


def test_csv_with_a_byte_order_mark_and_semicolons(tree, agency_admin):
    text = "\ufeffMã đơn vị;Tên đơn vị;Mã đơn vị cấp trên\nP-A-Q;Phòng Quản trị;P-A\n"
    batch = plan(agency_admin, text.encode(), name="don-vi.csv")
    assert batch.rows.get().action == Action.CREATE
    import_apply(actor=agency_admin, batch=batch)
    assert Unit.objects.get(code="P-A-Q").name == "Phòng Quản trị"


def test_cells_are_made_plain_as_a_form_s_text_is(tree, agency_admin):
    # A zero-width space and a right-to-left override pasted with the name; "ị" typed as "i" and a
    # combining acute accent (decomposed).
    text = "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên\nP-A-\u200bR,\u202ePhòng Hành chi\u0301nh,P-A\n"
    batch = plan(agency_admin, text.encode(), name="don-vi.csv")
    row = batch.rows.get()
    assert row.data["code"] == "P-A-R"
    assert row.data["name"] == "Phòng Hành chính"
    import_apply(actor=agency_admin, batch=batch)
    assert Unit.objects.get(code="P-A-R").name == "Phòng Hành chính"


def test_a_nul_in_a_cell_refuses_its_row_and_the_file(tree, agency_admin):
    text = "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên\nP-A-N,Phòng\x00 Tài vụ,P-A\n"
    batch = plan(agency_admin, text.encode(), name="don-vi.csv")
    row = batch.rows.get()
    assert row.action == Action.REFUSED
    assert row.messages == ["Văn bản không được chứa ký tự rỗng (NUL)."]
    assert row.data["name"] == "Phòng Tài vụ"  # kept without it: PostgreSQL stores no NUL
    assert batch.status == ImportBatch.Status.INVALID
    with pytest.raises(Conflict):
        import_apply(actor=agency_admin, batch=batch)
    assert not Unit.objects.filter(code="P-A-N").exists()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"not a spreadsheet", "danh-sach.xlsx"),
        (b"\xff\xfe\x00bad", "danh-sach.csv"),
        (b"a,b\n1,2\n", "danh-sach.csv"),
        (b"whatever", "danh-sach.pdf"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(tree, agency_admin, data, name):
    with pytest.raises(Invalid) as error:
        plan(agency_admin, data, name)
    assert error.value.errors["file"][0]
    assert not ImportBatch.objects.exists()


def test_the_plan_reads_the_database_in_a_fixed_number_of_queries(tree, agency_admin):
    def queries(size):
        people = [person(f"Q{size}-{i}", f"Người {i}", "P-A") for i in range(size)]
        people += [person(f"Q{size}-{i}", f"Người {i}", "P-A-O", "Cấp phó") for i in range(size)]
        data = xlsx(
            units=[(f"P-A-{size}-{i}", "Phòng", "P-A", "") for i in range(size)], people=people
        )
        with CaptureQueriesContext(connection) as ctx:
            plan(agency_admin, data)
        # Reads only: writing the rows takes one INSERT per batch of rows, and SQLite's batches
        # are small (999 parameters).
        return sum(q["sql"].startswith("SELECT") for q in ctx.captured_queries)

    queries(1)  # the admin's roles are read once, then kept on the user (units.roles)
    assert queries(5) == queries(40)


def test_importing_many_rows_runs_a_bounded_number_of_queries(tree, agency_admin):
    def queries(size):
        people = [person(f"B{size}-{i}", f"Người {i}", "P-A") for i in range(size)]
        batch = plan(agency_admin, xlsx(people=people))
        with CaptureQueriesContext(connection) as ctx:
            import_apply(actor=agency_admin, batch=batch)
        return len(ctx.captured_queries)

    assert queries(5) == queries(60)


def test_import_rows_keep_the_cells(tree, agency_admin):
    batch = plan(agency_admin, xlsx(people=[person("CB1", "An", "P-A", email="an@x.vn")]))
    row = ImportRow.objects.get(batch=batch)
    assert row.data["email"] == "an@x.vn"
    assert row.kind == ImportRow.Kind.PERSON
