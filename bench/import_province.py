#!/usr/bin/env python
"""Benchmark of the spreadsheet import: a root admin imports a whole province from one XLSX.

Builds a workbook like an organization board's (a sheet of units with parent codes, a sheet of
people with one row per person and post): by default 500 units (the province, its Party
committee and People's Committee, 25 departments with 6 offices each, 322 communes) and 20,000
people (every head also sits on the Party committee: one more row each). Then, as the admin of the
root unit, it times the dry run (read the file, plan every row, store the report), the import
(re-plan and write), and a second dry run of the same file (idempotent: every row unchanged).

    .venv/bin/python bench/import_province.py                       # a fresh SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kl14_bench_import \\
        .venv/bin/python bench/import_province.py
    .venv/bin/python bench/import_province.py --units 50 --people 1000

With PostgreSQL the database is created when missing and emptied first (manage.py flush): give
the bench a database of its own.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kl14.settings.local")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

ROLES_PER_UNIT = ("Người đứng đầu", "Cấp phó", "Cấp phó", "Kiểm tra, giám sát", "Ban tổ chức")


def province_units(count: int) -> list[tuple[str, str, str, str]]:
    """(code, name, parent code, kind) for `count` units, superior units listed after some of
    their children on purpose (the importer orders them itself)."""
    units = [
        ("T", "Tỉnh Thử Nghiệm", "", "Khác"),
        ("T-TU", "Tỉnh ủy Thử Nghiệm", "T", "Cấp ủy"),
        ("T-UB", "Ủy ban nhân dân tỉnh Thử Nghiệm", "T", "Cơ quan nhà nước"),
    ]
    departments = min(25, max(0, (count - 3) // 7))
    for d in range(departments):
        code = f"T-S{d:02d}"
        for o in range(6):
            units.append((f"{code}-P{o}", f"Phòng {o + 1} Sở {d + 1}", code, "Cơ quan nhà nước"))
        units.append((code, f"Sở số {d + 1}", "T-UB", "Cơ quan nhà nước"))
    c = 0
    while len(units) < count:
        units.append((f"T-X{c:03d}", f"Ủy ban nhân dân xã {c + 1}", "T-UB", "Cơ quan nhà nước"))
        c += 1
    return units[:count]


def province_people(units, count: int) -> list[list[str]]:
    """One row per person and post; heads also sit on their unit's Party committee."""
    rows = []
    codes = [u[0] for u in units]
    for i in range(count):
        unit = codes[i % len(codes)]
        rank = i // len(codes)
        role = ROLES_PER_UNIT[rank] if rank < len(ROLES_PER_UNIT) else "Cán bộ"
        staff = f"CB{i:06d}"
        name = f"Nguyễn Văn Thử {i}"
        email = f"cb{i:06d}@thunghiem.gov.vn"
        rows.append([staff, name, "", email, unit, role, "", "01/01/2026", "", ""])
        if rank == 0:
            rows.append([staff, name, "", email, unit, "Cấp ủy", "Bí thư chi bộ", "", "", ""])
    return rows


def province_workbook(units: int = 500, people: int = 20_000) -> bytes:
    import io

    from openpyxl import Workbook

    unit_rows = province_units(units)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Đơn vị")
    sheet.append(["DANH SÁCH ĐƠN VỊ"])
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại hình"])
    for row in unit_rows:
        sheet.append(list(row))
    sheet = book.create_sheet("Cán bộ")
    sheet.append(
        [
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
    )
    for row in province_people(unit_rows, people):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(label, func, results):
    from django.db import connection

    counter = QueryCounter()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        value = func()
    seconds = time.perf_counter() - started
    results.append((label, seconds, time.process_time() - cpu, counter.count))
    return value


def import_province(actor, data: bytes) -> list[tuple[str, float, int]]:
    """Dry run, import and an idempotent second dry run of `data`:
    [(step, wall-clock seconds, CPU seconds of this process, queries)]."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onboarding.models import Action
    from onboarding.services import import_apply, import_plan

    def dry_run():
        upload = SimpleUploadedFile("province.xlsx", data)
        return import_plan(actor=actor, upload=upload, filename="province.xlsx")

    results = []
    batch = timed("dry run (read + plan + report)", dry_run, results)
    if batch.status != "planned":
        refused = batch.rows.filter(action=Action.REFUSED)[:5]
        raise SystemExit(f"the file was refused: {[(r.line, r.messages) for r in refused]}")
    timed("import (re-plan + write)", lambda: import_apply(actor=actor, batch=batch), results)
    again = timed("second dry run of the same file", dry_run, results)
    changed = again.rows.exclude(action=Action.UNCHANGED).count()
    if changed:
        raise SystemExit(f"re-import is not idempotent: {changed} rows would change")
    return results


def prepare_root_admin():
    from accounts.models import User
    from units.models import Role
    from units.services import membership_grant, unit_create

    root = unit_create(code="T", name="Tỉnh Thử Nghiệm", kind="other", parent=None)
    admin = User.objects.create(username="bench.root.admin", full_name="Quản trị tỉnh")
    membership_grant(user=admin, unit=root, role=Role.ADMIN)
    return admin


def ensure_postgres_database(url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args()

    workdir = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        workdir = tempfile.TemporaryDirectory(prefix="kl14-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    admin = prepare_root_admin()

    started = time.perf_counter()
    data = province_workbook(args.units, args.people)
    build = time.perf_counter() - started
    rows = (
        args.people
        + len(province_units(args.units))
        + (args.people > 0) * min(args.units, args.people)
    )
    print(
        f"{connection.vendor}: {args.units} units, {args.people} people, ~{rows} rows, "
        f"{len(data) / 1e6:.1f} MB xlsx (built in {build:.1f} s, not counted)"
    )
    results = import_province(admin, data)
    for label, seconds, cpu, queries in results:
        print(f"  {label:<34} {seconds:7.1f} s  (CPU {cpu:5.1f} s)  {queries:6d} queries")
    total = results[0][1] + results[1][1]
    cpu = results[0][2] + results[1][2]
    print(f"  {'dry run + import':<34} {total:7.1f} s  (CPU {cpu:5.1f} s)  target: under 60 s")
    print(f"  load average when done: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    from accounts.models import User
    from units.models import Membership, Unit

    print(
        f"  in the database: {Unit.objects.count()} units, {User.objects.count()} accounts, "
        f"{Membership.objects.count()} memberships"
    )
    if workdir:
        workdir.cleanup()


if __name__ == "__main__":
    main()
