#!/usr/bin/env python
"""Benchmark of the reminders sweep on PostgreSQL.

Seeds N open proposals awaiting a decision (bulk inserts) across a tree of units, runs one sweep
and prints its time and its number of queries, for 10,000 and 100,000 proposals: the number of
queries follows the number of batches (pages of `DecisionDeadline.batch_size`), not of items.
Then runs the sweep again to show the cost of an idempotent re-run (everything already sent).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kl14_bench .venv/bin/python bench/reminders.py
    .venv/bin/python bench/reminders.py --sizes 1000 10000

The database is created (and migrated) when missing; the bench's tables are emptied before each
size. E-mail tasks go to an in-memory broker: the sweep only enqueues them.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kl14_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kl14.settings.local")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist yet (connecting to the `postgres` database)."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/reminders.py needs PostgreSQL: set DATABASE_URL=postgres://...")
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
            print(f"created database {config['NAME']}")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def seed_organisation():
    """A province with 20 departments of 5 offices each: a head and an organization board in
    every unit, and a cadre in every office who authors the proposals."""
    from accounts.models import User
    from units.models import Membership, Role, Unit

    if Unit.objects.filter(code="BENCH").exists():
        return list(Unit.objects.filter(code__startswith="BENCH-", depth=3)), User.objects.get(
            username="bench.author"
        )
    root = Unit.add_root(code="BENCH", name="Tỉnh (bench)")
    offices = []
    for d in range(20):
        department = root.add_child(code=f"BENCH-{d:02d}", name=f"Sở {d}")
        for o in range(5):
            offices.append(department.add_child(code=f"BENCH-{d:02d}-{o}", name=f"Phòng {d}.{o}"))
    units = list(Unit.objects.filter(code__startswith="BENCH"))
    users, memberships = [], []
    for unit in units:
        for role in (Role.HEAD, Role.ORGANIZATION_BOARD):
            users.append(
                User(username=f"bench.{unit.code}.{role}", email=f"{unit.code}.{role}@bench.vn")
            )
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="bench.")}
    for unit in units:
        for role in (Role.HEAD, Role.ORGANIZATION_BOARD):
            memberships.append(
                Membership(user=by_name[f"bench.{unit.code}.{role}"], unit=unit, role=role)
            )
    Membership.objects.bulk_create(memberships)
    author = User.objects.create(username="bench.author", email="author@bench.vn")
    return offices, author


def seed_proposals(count: int, offices, author, today):
    """Open proposals due from 30 days ago to the end of the reminder window: a tenth get the
    early reminder, a tenth the on-the-day one, the rest are overdue and escalated."""
    from django.utils import timezone

    from proposals.models import Proposal, State
    from workdays.calendar import add_working_days

    soon = add_working_days(today, 2)
    now = timezone.now()
    rows = []
    for i in range(count):
        bucket = i % 10
        due = soon if bucket == 0 else today if bucket == 1 else today - timedelta(days=1 + i % 30)
        office = offices[i % len(offices)]
        rows.append(
            Proposal(
                code=f"DX-BENCH-{i:07d}",
                title=f"Đề xuất thử tải {i}",
                home_unit=office,
                deciding_unit=office,
                created_by=author,
                state=State.SUBMITTED,
                submitted_at=now,
                decision_due=due,
                version=1,
                decision_round=1,
            )
        )
    Proposal.objects.bulk_create(rows, batch_size=5000)


def empty_tables():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE notifications_notification, notifications_reminder, "
            "proposals_proposal RESTART IDENTITY CASCADE"
        )


def run(size: int, offices, author, today) -> dict:
    from django.db import connection

    from notifications import deadlines
    from notifications.services import reminders_sweep

    empty_tables()
    started = time.perf_counter()
    seed_proposals(size, offices, author, today)
    seeded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results = {"size": size, "seed_s": seeded}
    batch = deadlines.get("proposals.decision").batch_size
    for label in ("first", "rerun"):
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            report = reminders_sweep(today=today)
        results[label] = {
            "seconds": time.perf_counter() - started,
            "queries": counter.count,
            "items": report.items,
            "reminders": report.reminders,
            "notifications": report.notifications,
            "batches": -(-report.items // batch),
        }
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--kinds", nargs="+", help="sweep only these deadline kinds (default: every registered one)"
    )
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from kl14.celery import app
    from workdays.calendar import add_working_days, is_working_day

    app.conf.update(broker_url="memory://localhost/", task_always_eager=False)
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not is_working_day(today):
        today = add_working_days(today, -1)
    offices, author = seed_organisation()
    if args.kinds:
        from notifications import deadlines

        for kind in deadlines.kinds():
            if kind.key not in args.kinds:
                deadlines.unregister(kind.key)
    from notifications import deadlines

    print("deadline kinds:", ", ".join(kind.key for kind in deadlines.kinds()))
    print(f"reminders sweep on {today} (PostgreSQL {os.environ['DATABASE_URL'].split('@')[-1]})")
    header = f"{'proposals':>10} {'run':>6} {'batches':>8} {'queries':>8} {'reminders':>10} "
    print(header + f"{'notifications':>14} {'seconds':>8}")
    rows = [run(size, offices, author, today) for size in args.sizes]
    for row in rows:
        for label in ("first", "rerun"):
            r = row[label]
            print(
                f"{row['size']:>10,} {label:>6} {r['batches']:>8} {r['queries']:>8} "
                f"{r['reminders']:>10,} {r['notifications']:>14,} {r['seconds']:>8.2f}"
            )
    if len(rows) > 1:
        small, large = rows[0]["first"], rows[-1]["first"]
        extra = (large["queries"] - small["queries"]) / max(large["batches"] - small["batches"], 1)
        print(
            f"{rows[-1]['size'] / rows[0]['size']:.0f}× the proposals: "
            f"{large['queries'] - small['queries']} more queries for "
            f"{large['batches'] - small['batches']} more batches ({extra:.1f} per batch)"
        )


if __name__ == "__main__":
    main()
