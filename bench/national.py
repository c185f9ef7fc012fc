#!/usr/bin/env python
"""National-scale benchmark (issue 12): build a country on PostgreSQL, serve it with gunicorn,
measure every heavy page against the floor.

    .venv/bin/python bench/national.py --proposals 1000000 --units 50000 --users 1000000
    .venv/bin/python bench/national.py --proposals 100000 --units 5000 --users 100000 --seed 7
    .venv/bin/python bench/national.py --skip-build          # measure the database as it is
    .venv/bin/python bench/national.py --skip-build --skip-commands --phases heavy8

1. Build (unless --skip-build): migrate DATABASE_URL (default kl14_bench), empty the tables, then
   COPY a unit tree of five levels (root, 34 provinces, three levels below), users with one
   membership each (a head, two deputies, a Party committee, an inspector and an organization
   board per unit, cadres for the rest), proposals in all 20 states with their authors, frozen
   version, a real hash-chained ledger for the steps their state implies with the rows each step's
   service writes (plans and final reports, opinions, evaluations, responsibility decisions,
   replications, regulations, abuse cases: verify_ledger finds nothing broken), the decision dates
   on the row, lessons for published ones, one proposal with a long ledger, and notifications.
   Everything follows --seed.
2. Serve it as docker-compose.yml does: nginx (kl14/proxy.py's configuration) in front of gunicorn
   `web` (3 workers, --web-workers) and, for the heavy reads, gunicorn `web-heavy` at nice 19
   (2 workers; settings bench.settings: the app plus the floor, a bare view at /bench/floor/
   doing one indexed query and a small render; X-Queries counts queries). --no-proxy: one
   gunicorn, no nginx.
3. Measure each page, interleaved in random order, at concurrency 1 then 8: p50/p95/p99 in ms
   and queries per request. The API's page 500 twice: as a keyset client reaches it (the cursor
   found by following `next` from page 1 during setup) and by `page=500` (an offset). Then the
   floor alone, from a process of its own, while 8 clients load the heaviest pages (the
   bulkhead's case); --phases picks among c1, c8, heavy8. Then time the reminder sweep (first run
   and re-run) and verify_ledger over everything, one process per core for each. Prints a table
   and writes bench/results/national-<n>.json.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kl14_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

# Share of each state among the proposals (all 20 of lifecycle.md).
STATES = {
    "draft": 10, "submitted": 5, "under_review": 5, "returned": 2, "withdrawn": 3,
    "rejected": 5, "approved": 5, "in_progress": 20, "suspended": 2, "ended": 3,
    "evaluating": 3, "succeeded": 12, "responsibility_review": 2, "liability_excluded": 3,
    "exempted": 2, "reduced": 2, "held_responsible": 1, "referred": 1, "replicated": 4,
    "institutionalized": 2,
}  # fmt: skip
DECIDED = ["submit", "open_review", "approve"]
STARTED = [*DECIDED, "start"]
ENDED = [*STARTED, "complete"]
EVALUATED = [*ENDED, "submit_final_report", "opinion", "evaluate"]
PATHS = {
    "draft": [], "submitted": ["submit"], "under_review": ["submit", "open_review"],
    "returned": ["submit", "open_review", "return_for_revision"],
    "withdrawn": ["submit", "withdraw"], "rejected": ["submit", "open_review", "reject"],
    "approved": DECIDED, "in_progress": STARTED, "suspended": [*STARTED, "suspend"],
    "ended": ENDED, "evaluating": [*ENDED, "submit_final_report"], "succeeded": EVALUATED,
    "responsibility_review": EVALUATED, "liability_excluded": [*EVALUATED, "decide_responsibility"],
    "exempted": [*EVALUATED, "decide_responsibility"],
    "reduced": [*EVALUATED, "decide_responsibility"],
    "held_responsible": [*EVALUATED, "decide_responsibility"],
    "referred": [*STARTED, "refer_abuse"], "replicated": [*EVALUATED, "replicate"],
    "institutionalized": [*EVALUATED, "institutionalize"],
}  # fmt: skip
TEXT = (
    "số hóa thủ tục hành chính một cửa liên thông cấp xã đất đai hồ sơ điện tử tuyển dụng "
    "công chức VNeID chữ ký số dịch vụ công trực tuyến y tế giáo dục nông nghiệp giao thông "
    "ngân sách đầu tư chuyển đổi số dữ liệu dân cư thanh toán không dùng tiền mặt"
)
WORDS = TEXT.split()


def ensure_database(url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/national.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    params = {k.lower(): config.get(k) or None for k in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


# --- building --------------------------------------------------------------------------------


def copy_rows(model, rows, columns):
    """COPY rows (tuples in the order of `columns`, attnames) into the model's table."""
    from django.db import connection

    table = model._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as cp,
    ):
        n = 0
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def base36(n: int, width: int = 4) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(width):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def build(args, rnd: random.Random) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from kl14.bulk import insert_rows
    from kl14.search import search_text
    from ledger.hashing import GENESIS, canonical_json, entry_hash
    from ledger.models import LedgerEntry
    from notifications.models import Notification
    from pilots.models import FinalReport, ImplementationPlan
    from proposals.hashing import version_hash
    from proposals.models import (
        DOSSIER_FIELDS,
        Opinion,
        Proposal,
        ProposalAuthor,
        ProposalVersion,
        Vote,
    )
    from reviews.models import (
        AbuseCase,
        Evaluation,
        Institutionalization,
        Lesson,
        Replication,
        ResponsibilityDecision,
    )
    from units.models import Membership, Unit
    from workdays.calendar import add_working_days

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    dues: dict = {}

    def working_days_later(day):
        if day not in dues:
            dues[day] = add_working_days(day, 7)
        return dues[day]

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE units_unit, accounts_user, proposals_proposal, ledger_ledgerentry, "
            "notifications_notification, pilots_implementationplan RESTART IDENTITY CASCADE"
        )
    # Units: root, 34 provinces, then three levels sized to reach --units.
    per = max(2, round(((args.units - 35) / 34) ** (1 / 3)))
    levels, units = [[("0001", 1)]], []
    for depth, fanout in ((2, 34), (3, per), (4, per), (5, per)):
        levels.append([(p + base36(i + 1), depth) for p, _d in levels[-1] for i in range(fanout)])
    flat = [u for level in levels for u in level][: args.units]
    children = {}
    for path, _depth in flat:
        children[path[:-4]] = children.get(path[:-4], 0) + 1
    kinds = ["party_committee", "state_agency", "public_service", "enterprise", "other"]
    units = [
        (
            i + 1,
            path,
            depth,
            children.get(path, 0),
            f"U{i + 1:06d}",
            f"Đơn vị {i + 1}",
            kinds[i % 5],
        )
        for i, (path, depth) in enumerate(flat)
    ]
    copy_rows(Unit, units, ["id", "path", "depth", "numchild", "code", "name", "kind"])
    n_units = len(units)
    # Users, one membership each: six leaders and oversight per unit, the rest cadres.
    password = make_password("bench-pass-2026")
    roles = ["head", "deputy", "deputy", "party_committee", "inspector", "organization_board"]
    memberships, cadres = [], {}
    now = datetime.now(UTC)

    def users():
        for uid in range(1, args.users + 1):
            unit = (uid - 1) % n_units + 1
            slot = (uid - 1) // n_units
            role = roles[slot] if slot < len(roles) else "cadre"
            memberships.append((uid, unit, role))
            if role == "cadre":
                cadres.setdefault(unit, []).append(uid)
            yield (uid, password, False, f"u{uid}", "", "", f"u{uid}@bench.kl14", False, True, now,
                   f"Cán bộ {uid}", "vi", None, None)  # fmt: skip

    copy_rows(
        User,
        users(),
        ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
         "is_staff", "is_active", "date_joined", "full_name", "language", "staff_code",
         "sso_subject"],
    )  # fmt: skip
    today = date.today()
    copy_rows(
        Membership,
        ((i + 1, u, unit, role, "", today) for i, (u, unit, role) in enumerate(memberships)),
        ["id", "user_id", "unit_id", "role", "title", "started_on"],
    )
    head_of = {unit: uid for uid, unit, role in memberships if role == "head"}
    # Proposals with authors, version, ledger.
    states = list(STATES)
    weights = [STATES[s] for s in states]
    proposals, authors, versions, entries, lessons = [], [], [], [], []
    finals = []  # (proposal, filed by, report, due, filed at) of the final reports
    rows = {"opinion": [], "evaluate": [], "decide": [], "replicate": [], "institutionalize": [],
            "abuse": []}  # fmt: skip
    entry_id = 0
    bench_cadre_unit = n_units  # a leaf unit: its cadre and head are the bench's personas
    for pk in range(1, args.proposals + 1):
        state = "under_review" if pk == 1 else rnd.choices(states, weights)[0]
        unit = bench_cadre_unit if pk % 2000 == 0 else rnd.randint(1, n_units)
        author = (cadres.get(unit) or [head_of.get(unit, 1)])[
            0 if pk % 2000 == 0 else pk % 3 % max(1, len(cadres.get(unit, [1])))
        ]
        created = now - timedelta(days=rnd.randint(1, 1000), seconds=rnd.randint(0, 86399))
        code = f"DX-{created.year}-{pk:07d}"
        title = " ".join(rnd.choices(WORDS, k=8)).capitalize()
        summary = " ".join(rnd.choices(WORDS, k=20))
        path = PATHS[state]
        version = 1 if path else 0
        submitted_at = created + timedelta(days=1) if path else None
        due = working_days_later(submitted_at.date()) if path else None
        decided = "approve" in path or "reject" in path
        decided_at = submitted_at + timedelta(days=rnd.randint(2, 15)) if decided else None
        in_decision = state in ("submitted", "under_review")
        published = state in ("succeeded", "replicated", "institutionalized") and pk % 3 == 0
        proposals.append((
            pk, code, title, summary, "other", unit, unit if path else None, author,
            "Quy trình cũ kéo dài", "not_regulated", "x", "x", "x", "x", "x", "x", "x", "x", "x",
            True, True, True, True, True, state, version, 1 if path else 0, submitted_at,
            due if in_decision else None, decided_at,
            "pilot" if decided and state != "rejected" else "",
            False, (decided_at or submitted_at or created), None,
            (decided_at + timedelta(days=300)) if published else None, created, created,
            due if decided else None,
        ))  # fmt: skip
        authors.append((pk, pk, author, True, created, "staff"))
        if not path:
            continue
        # The frozen version as proposals.hashing.dossier_snapshot writes it, so that
        # verify_ledger's cross-checks (authors, fields) hold on the built data.
        row = dict(zip(PROPOSAL_COLUMNS, proposals[-1], strict=True))
        content = {
            "code": code,
            "home_unit": units[unit - 1][4],
            "fields": {name: row[name] for name in DOSSIER_FIELDS},
            "authors": [{"username": f"u{author}", "name": f"Cán bộ {author}", "post": "staff"}],
            "attachments": [],
        }
        digest = version_hash(content)
        versions.append((pk, pk, 1, json.dumps(content), digest, submitted_at, author))
        prev, at, current = GENESIS, submitted_at, "draft"
        head = head_of.get(unit, author)
        events = [*path, "lesson_publish"] if published else path
        lesson = f"Bài học: {summary}"
        for seq, event in enumerate(events, start=1):
            target = PATHS_TARGET.get(event) or state
            target = state if seq >= len(path) else target
            actor = (
                author
                if event in ("submit", "complete", "submit_final_report", "withdraw")
                else head
            )
            # Each entry with the payload and the row its service writes (verify_ledger's
            # cross-checks compare them; tests/bench/test_build.py).
            payload = {}
            if event == "submit":
                payload = {"decision_due": due.isoformat()}
            elif event == "approve":
                payload = {"mode": "pilot", "head_bears_responsibility": False}
            elif event == "submit_final_report":
                report = f"Báo cáo tổng kết: {summary}"
                payload = {"report": report, "due": at.date().isoformat(), "late": False,
                           "kpi_values": []}  # fmt: skip
                finals.append((pk, author, report, at.date(), at))
            elif event == "opinion":
                payload = {"stage": "evaluation", "stance": "agree", "text": "Nhất trí kết quả."}
                rows["opinion"].append((pk, "evaluation", 1, "agree", payload["text"], actor,
                                        unit, at))  # fmt: skip
            elif event == "evaluate":
                failed = state in (*RESPONSIBILITY, "responsibility_review")
                outcome = "not_achieved" if failed else "achieved"
                rows["evaluate"].append((pk, outcome, "x", "x", at.date(), actor, at))
            elif event == "decide_responsibility":
                rows["decide"].append((pk, state, True, True, True, True, False, "Đúng quy trình.",
                                       actor, at))  # fmt: skip
            elif event == "replicate":
                payload = {"board_unit": units[unit - 1][4], "targets": []}
                rows["replicate"].append((pk, unit, actor, at))
            elif event == "institutionalize":
                rows["institutionalize"].append((pk, f"Quy định: {title}"[:500], "unit", unit,
                                                 actor, at))  # fmt: skip
            elif event == "refer_abuse":
                case = len(rows["abuse"]) + 1
                explain_by = working_days_later(at.date())
                payload = {"case": case, "grounds": "x", "evidence": "x",
                           "explanation_due": explain_by.isoformat()}  # fmt: skip
                rows["abuse"].append((case, pk, "x", "x", current, actor, at, explain_by, "",
                                      ""))  # fmt: skip
            elif event == "lesson_publish":
                payload = {"lessons": lesson}
            digest_entry = entry_hash(
                proposal_code=code, seq=seq, at=at, actor_id=actor, event=event,
                from_state=current, to_state=target, payload=payload, dossier_hash=digest,
                prev_hash=prev,
            )  # fmt: skip
            entry_id += 1
            entries.append((entry_id, pk, seq, at, actor, event, current, target,
                            canonical_json(payload).decode(), digest, prev,
                            digest_entry))  # fmt: skip
            prev, current, at = digest_entry, target, at + timedelta(hours=rnd.randint(1, 200))
        if published:
            lessons.append((pk, pk, lesson, search_text(f"{code} {title} {summary} {lesson}"),
                            head, decided_at + timedelta(days=300), now))  # fmt: skip
    long_pk = 1  # the proposal page with a long ledger: many vote changes while under review
    print(f"  generated in {time.monotonic() - started:.0f} s; copying…", flush=True)
    copy_rows(Proposal, proposals, PROPOSAL_COLUMNS)
    copy_rows(
        ProposalAuthor, authors, ["id", "proposal_id", "user_id", "is_creator", "added_at", "post"]
    )
    copy_rows(
        ProposalVersion,
        versions,
        ["id", "proposal_id", "number", "content", "content_hash", "created_at", "created_by_id"],
    )
    # The long ledger: the first proposal is put under review and its voters change their minds.
    first = proposals[0]
    long_entries = [e for e in entries if e[1] == long_pk]
    prev, at, seq = (
        (long_entries[-1][11], long_entries[-1][3], len(long_entries))
        if long_entries
        else (GENESIS, now, 0)
    )
    if first[24] == "under_review":
        for i in range(args.long_ledger):
            seq += 1
            at += timedelta(minutes=5)
            payload = {"choice": "for" if i % 2 else "against", "round": 1}
            digest_entry = entry_hash(
                proposal_code=first[1], seq=seq, at=at, actor_id=first[7], event="vote",
                from_state="under_review", to_state="under_review", payload=payload,
                dossier_hash="", prev_hash=prev,
            )  # fmt: skip
            entry_id += 1
            entries.append((entry_id, long_pk, seq, at, first[7], "vote", "under_review",
                            "under_review", canonical_json(payload).decode(), "", prev,
                            digest_entry))  # fmt: skip
            prev = digest_entry
        # The vote row the last of those entries recorded (the votes' record check).
        copy_rows(
            Vote, [(1, long_pk, 1, first[7], payload["choice"], at)],
            ["id", "proposal_id", "round", "voter_id", "choice", "cast_at"],
        )  # fmt: skip
    copy_rows(
        LedgerEntry,
        entries,
        ["id", "proposal_id", "seq", "at", "actor_id", "event", "from_state", "to_state",
         "payload", "dossier_hash", "prev_hash", "hash"],
    )  # fmt: skip
    # The pilots' plans and final reports (kl14.bulk fills the plans' other columns with their
    # defaults, JSON ones included).
    plan_ids = insert_rows(
        ImplementationPlan, ("proposal_id", "created_at", "updated_at"),
        [(pk, at, at) for pk, _by, _report, _due, at in finals],
    )  # fmt: skip
    insert_rows(
        FinalReport, ("plan_id", "report", "due_date", "late", "filed_by_id", "filed_at"),
        [(plan, report, due, False, by, at)
         for plan, (_pk, by, report, due, at) in zip(plan_ids, finals, strict=True)],
    )  # fmt: skip
    opinions = insert_rows(
        Opinion, ("proposal_id", "stage", "round", "stance", "text", "author_id", "unit_id",
                  "created_at"), rows["opinion"],
    )  # fmt: skip
    insert_rows(
        Evaluation, ("proposal_id", "outcome", "causes_objective", "causes_subjective",
                     "meeting_date", "opinion_id", "evaluated_by_id", "created_at"),
        [(pk, outcome, o, s, day, opinion, by, at) for opinion, (pk, outcome, o, s, day, by, at)
         in zip(opinions, rows["evaluate"], strict=True)],
    )  # fmt: skip
    insert_rows(
        ResponsibilityDecision, ("proposal_id", "decision", "followed_approved_plan",
                                 "pure_motive", "common_interest", "no_personal_gain", "damage",
                                 "reasons", "decided_by_id", "created_at"), rows["decide"],
    )  # fmt: skip
    insert_rows(
        Replication, ("source_id", "board_unit_id", "directed_by_id", "created_at"),
        rows["replicate"],
    )  # fmt: skip
    insert_rows(
        Institutionalization, ("proposal_id", "title", "issuing_level", "board_unit_id",
                               "proposed_by_id", "created_at"), rows["institutionalize"],
    )  # fmt: skip
    copy_rows(
        AbuseCase, rows["abuse"],
        ["id", "proposal_id", "grounds", "evidence", "from_state", "referred_by_id",
         "created_at", "explanation_due", "finding", "conclusion"],
    )  # fmt: skip
    copy_rows(
        Lesson,
        lessons,
        [
            "id",
            "proposal_id",
            "lessons",
            "search_text",
            "published_by_id",
            "published_at",
            "updated_at",
        ],
    )
    cadre = cadres.get(bench_cadre_unit, [1])[0]
    copy_rows(
        Notification,
        ((i + 1, cadre, "event", f"Thông báo {i}", "", "/proposals/", "",
          now - timedelta(minutes=i))
         for i in range(300)),
        ["id", "recipient_id", "kind", "title", "body", "url", "event", "created_at"],
    )  # fmt: skip
    with connection.cursor() as cursor:
        for model in (Unit, User, Membership, Proposal, ProposalAuthor, ProposalVersion,
                      LedgerEntry, Lesson, Notification, Vote, AbuseCase):  # fmt: skip
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    # The long ledger's proposal must be under review for the page to show it.
    Proposal.objects.filter(pk=long_pk).update(state="under_review") if first[
        24
    ] == "under_review" else None
    # The COPY went around the services: the dashboard's roll-ups are recomputed from the rows.
    rolled = time.monotonic()
    call_command("rebuild_rollups")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_rollup, reviews_rollupshare")
    print(f"roll-ups rebuilt in {time.monotonic() - rolled:.0f} s", flush=True)
    province = Unit.objects.get(depth=2, path="00010001")

    def board_of(unit_id):
        return next(
            u for u, unit, r in memberships if unit == unit_id and r == "organization_board"
        )

    personas = {
        "cadre": cadre,
        "head": head_of[bench_cadre_unit],
        "long_head": head_of[first[5]],
        "board_province": board_of(province.pk),
        "board_root": board_of(1),
        "province_unit": province.pk,
        "long_pk": long_pk,
        "long_entries": seq,
    }  # fmt: skip
    print(
        f"built {args.proposals} proposals, {n_units} units, {args.users} users, "
        f"{len(entries)} ledger entries, {len(lessons)} lessons in "
        f"{time.monotonic() - started:.0f} s; database {size}",
        flush=True,
    )
    return {
        "personas": personas,
        "build_seconds": round(time.monotonic() - started, 1),
        "size": size,
    }


PROPOSAL_COLUMNS = [
    "id", "code", "title", "summary", "field", "home_unit_id", "deciding_unit_id",
    "created_by_id", "bottleneck", "regulation_status", "purpose", "content", "scope",
    "implementers", "timeline", "resources", "feasibility", "impact", "expected_results",
    "criterion_bottleneck", "criterion_common_good", "criterion_urgent_need",
    "criterion_reform", "declaration_no_personal_interest", "state", "version",
    "decision_round", "submitted_at", "decision_due", "decided_at", "mode",
    "head_override", "state_changed_at", "origin_id", "published_at", "created_at",
    "updated_at", "decided_due",
]  # fmt: skip
PATHS_TARGET = {
    "submit": "submitted", "open_review": "under_review", "approve": "approved",
    "reject": "rejected", "return_for_revision": "returned", "withdraw": "withdrawn",
    "start": "in_progress", "suspend": "suspended", "complete": "ended",
    "submit_final_report": "evaluating", "opinion": "evaluating", "evaluate": "succeeded",
}  # fmt: skip
RESPONSIBILITY = ("liability_excluded", "exempted", "reduced", "held_responsible")


# --- serving and measuring -------------------------------------------------------------------


def session_cookie(user_id: int) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


API_LIST = "/api/v1/proposals/?state=in_progress"


def cursor_of_page(base, cookie, number, timeout) -> str:
    """The URL of page `number` of the API list as a keyset client reaches it: following `next`
    from page 1 (a cursor holds the position of a row, so it cannot be made up)."""
    path = API_LIST
    for _ in range(number - 1):
        request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
        with OPENER.open(request, timeout=timeout) as response:
            following = json.loads(response.read())["next"]
        if not following:
            sys.exit(f"the API list has fewer than {number} pages")
        path = following[len(base) :] if following.startswith(base) else following
    return path


def pages(p: dict) -> list[tuple[str, str, int]]:
    """(name, path, user id)"""
    return [
        ("floor", "/bench/floor/", p["cadre"]),
        ("cadre's proposals", "/proposals/", p["cadre"]),
        ("head's inbox", "/proposals/inbox/", p["head"]),
        ("notifications", "/notifications/", p["cadre"]),
        ("proposal page, long ledger", f"/proposals/{p['long_pk']}/", p["long_head"]),
        ("API ?state=in_progress p1", API_LIST, p["board_root"]),
        ("API ?state=in_progress p500 (cursor)", p.get("api_p500_cursor", API_LIST),
         p["board_root"]),
        ("API ?state=in_progress ?page=500 (offset)", f"{API_LIST}&page=500", p["board_root"]),
        # A board below the root reads its subtree unit by unit (proposal_home_created_keyset).
        ("API ?page=50, a province's board", "/api/v1/proposals/?page=50", p["board_province"]),
        ("dashboard, a province", f"/dashboard/?unit={p['province_unit']}", p["board_province"]),
        ("dashboard, the root", "/dashboard/", p["board_root"]),
        ("lessons search", "/lessons/?q=th%E1%BB%A7+t%E1%BB%A5c+h%C3%A0nh+ch%C3%ADnh", p["cadre"]),
    ]  # fmt: skip


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the sign-in page) is an answer to record, not to follow


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(base, path, cookie, timeout):
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    try:
        with OPENER.open(request, timeout=timeout) as response:
            response.read()
            status, queries = response.status, int(response.headers.get("X-Queries", -1))
    except urllib.error.HTTPError as error:
        status, queries = error.code, -1
    except Exception:  # a timeout: recorded as such
        status, queries = 0, -1
    return (time.perf_counter() - started) * 1000, status, queries


# docker-compose.yml's web-heavy runs `nice -n 19` (the lowest priority): the kernel serves web
# first when cores are busy (tests/kl14/test_proxy.py compares the two).
HEAVY_NICE = 19
# docker-compose.yml's gunicorn workers of web and web-heavy (tests/kl14/test_proxy.py compares).
WEB_WORKERS = 3
HEAVY_WORKERS = 2

HEAVY = (
    "proposal page, long ledger",
    "API ?state=in_progress p1",
    "API ?state=in_progress p500 (cursor)",
    "dashboard, a province",
    "dashboard, the root",
    "lessons search",
)


def measure_under_load(base, heavy, probe, *, clients, seconds, timeout, rnd, raw=False):
    """`clients` threads loop over the heavy pages while one more client, in a process of its own
    (so that it does not wait for the heavy clients' interpreter lock), loops over the probe's
    pages, for `seconds`; the same figures as `measure` for every page."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    seed = rnd.random()

    def probing():
        local = random.Random(seed)
        drive = _drive(
            base, [probe], seconds=seconds, rounds=None, timeout=timeout, rnd=local, raw=True
        )
        sending.send(drive)

    child = context.Process(target=probing)
    child.start()
    groups = [heavy] * clients
    samples, info = _drive(
        base, groups, seconds=seconds, rounds=None, timeout=timeout, rnd=rnd, raw=True
    )
    probed_samples, probed_info = receiving.recv()
    child.join()
    samples.update(probed_samples)
    info.update(probed_info)
    return (samples, info) if raw else _summary(samples, info)


def alternating(base, heavy, probe, *, clients, seconds, windows, timeout, rnd):
    """The floor idle and under the heavy load in `windows` alternating pairs of windows (idle
    for half as long as loaded), so that a machine whose speed drifts during the run (another
    tenant, the database's background work) weighs on both figures alike. Returns both summaries."""
    idle = ({}, {})
    loaded = ({}, {})
    for _ in range(windows):
        for (samples, info), part in (
            (idle, _drive(base, [probe], seconds=seconds / windows / 2, rounds=None,
                          timeout=timeout, rnd=rnd, raw=True)),
            (loaded, measure_under_load(base, heavy, probe, clients=clients,
                                        seconds=seconds / windows, timeout=timeout, rnd=rnd,
                                        raw=True)),
        ):  # fmt: skip
            for name, values in part[0].items():
                samples.setdefault(name, []).extend(values)
                seen = info.setdefault(name, {"status": set(), "queries": set()})
                seen["status"] |= part[1][name]["status"]
                seen["queries"] |= part[1][name]["queries"]
    return _summary(*idle), _summary(*loaded)


def measure(base, targets, *, concurrency, seconds, rounds, timeout, rnd):
    """`concurrency` threads each pass over every page `rounds` times, in their own order, for at
    most `seconds`."""
    groups = [targets] * concurrency
    return _drive(base, groups, seconds=seconds, rounds=rounds, timeout=timeout, rnd=rnd)


def _drive(base, groups, *, seconds, rounds, timeout, rnd, raw=False):
    """One client thread per group of pages, each passing over its pages in a shuffled order
    until `rounds` passes (None: no limit) or `seconds` are done."""
    samples = {name: [] for group in groups for name, _p, _c in group}
    info = {name: {"status": set(), "queries": set()} for name in samples}
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client(seed, pages):
        local = random.Random(seed)
        done = 0
        while (rounds is None or done < rounds) and time.monotonic() < deadline:
            order = list(pages)
            local.shuffle(order)
            for name, path, cookie in order:
                ms, status, queries = fetch(base, path, cookie, timeout)
                with lock:
                    samples[name].append(ms)
                    info[name]["status"].add(status)
                    info[name]["queries"].add(queries)
                if time.monotonic() > deadline:
                    break
            done += 1

    threads = [threading.Thread(target=client, args=(rnd.random(), group)) for group in groups]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (samples, info) if raw else _summary(samples, info)


def _summary(samples, info):
    result = {}
    for name, values in samples.items():
        values = sorted(values)
        q = (
            statistics.quantiles(values, n=100, method="inclusive")
            if len(values) > 1
            else values * 99
        )
        result[name] = {
            "n": len(values),
            "p50": round(statistics.median(values), 1) if values else None,
            "p95": round(q[94], 1) if values else None,
            "p99": round(q[98], 1) if values else None,
            "status": sorted(info[name]["status"]),
            "queries": sorted(info[name]["queries"]),
        }
    return result


def table(title, result):
    floor = result["floor"]["p95"] or 1
    header = "| page | n | p50 ms | p95 ms | p99 ms | p95 ÷ floor | queries | status |"
    lines = [f"\n{title}", header,
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, r in result.items():
        lines.append(
            f"| {name} | {r['n']} | {r['p50']} | {r['p95']} | {r['p99']} | "
            f"{(r['p95'] or 0) / floor:.1f} | {','.join(map(str, r['queries']))} | "
            f"{','.join(map(str, r['status']))} |"
        )
    return "\n".join(lines)


def timed_commands() -> dict:
    from django.conf import settings
    from django.db import connection

    # The messages of an earlier run, in the bench's own broker folder (bench/settings.py).
    for folder in ("data_folder_in", "control_folder"):
        path = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(folder, "")
        if "kl14-bench-broker" in path:
            for message in Path(path).iterdir():
                message.unlink()
    out = {}
    connection.close()
    # One process per core, for the sweep (sweep_reminders --parts, as KL14_SWEEP_PARTS hands it
    # out to the workers) and for verify_ledger (--workers): the box's, shared with PostgreSQL.
    workers = str(os.cpu_count() or 1)
    for label in ("first run", "re-run"):
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "sweep_reminders",
             "--day", _next_working_day().isoformat(), "--parts", workers],
            capture_output=True, text=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        )  # fmt: skip
        out[f"reminder sweep --parts {workers}, {label}"] = {
            "seconds": round(time.monotonic() - started, 1),
            "summary": (run.stdout.strip().splitlines() or [run.stderr.strip()[-300:]])[-1],
        }
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "verify_ledger", "--workers", workers],
        capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )  # fmt: skip
    out[f"verify_ledger --workers {workers}"] = {
        "seconds": round(time.monotonic() - started, 1),
        "summary": (run.stdout.strip().splitlines() or [""])[-1],
    }
    # The sweep wrote half a million notifications, reminders and e-mails at 1M. Where autovacuum
    # is off (the CI boxes' PostgreSQL), a later `--skip-build` run would plan on the statistics
    # of the tables when they were nearly empty: every page's unread badge then counted with a
    # sequential scan (~110 ms a page at 1M, seen 03/12).
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE notifications_notification, notifications_reminder, notifications_outboxemail"
        )
    return out


def gunicorn(port: int, *, workers: int, nice: int = 0) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "kl14.wsgi", "-w", str(workers), "-b",
               f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(
        ["nice", "-n", str(nice), *command] if nice else command,
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )  # fmt: skip


def serve(args) -> list[subprocess.Popen]:
    """The production shape on local ports (docker-compose.yml): nginx on --port with the
    configuration of `manage.py proxy_config` (kl14/proxy.py), `web` on --port + 1 and
    `web-heavy`, niced, on --port + 2 for the heavy reads. --no-proxy: one gunicorn on --port."""
    if args.no_proxy:
        return [gunicorn(args.port, workers=args.web_workers)]
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("bench/national.py needs nginx (apt-get install nginx), or --no-proxy")
    from kl14.proxy import nginx_config, standalone_config, write_error_pages

    web, heavy = args.port + 1, args.port + 2
    prefix = Path(tempfile.mkdtemp(prefix="kl14-bench-nginx-"))
    write_error_pages(prefix / "errors")
    site = nginx_config(
        web=[f"127.0.0.1:{web}"],
        heavy=[f"127.0.0.1:{heavy}"],
        listen=f"127.0.0.1:{args.port}",
        errors=str(prefix / "errors"),
    )
    (prefix / "nginx.conf").write_text(standalone_config(site, prefix))
    processes = [
        gunicorn(web, workers=args.web_workers),
        gunicorn(heavy, workers=HEAVY_WORKERS, nice=HEAVY_NICE),
    ]
    conf = str(prefix / "nginx.conf")
    processes.append(subprocess.Popen([nginx, "-p", str(prefix), "-c", conf, "-g", "daemon off;"]))
    return processes


def _next_working_day():
    from workdays.calendar import is_working_day

    day = date.today()
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--long-ledger", type=int, default=1200)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--seconds", type=float, default=120, help="per concurrency level")
    parser.add_argument("--rounds", type=int, default=30, help="passes over the pages per client")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-commands", action="store_true")
    parser.add_argument(
        "--web-workers", type=int, default=WEB_WORKERS,
        help="gunicorn workers of web (docker-compose.yml's by default)",
    )  # fmt: skip
    parser.add_argument(
        "--windows", type=int, default=6,
        help="heavy8: alternating idle and loaded windows (the seconds shared among them)",
    )  # fmt: skip
    parser.add_argument(
        "--no-proxy", action="store_true",
        help="one gunicorn on --port, without nginx and web-heavy (the shape before the proxy)",
    )  # fmt: skip
    parser.add_argument(
        "--phases", default="c1,c8,heavy8",
        help="which measurements: c1, c8 (every page, 1 and 8 clients), heavy8 (the floor while 8 "
        "clients load the heaviest pages; its idle figure is measured first if c1 is not run)",
    )  # fmt: skip
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    rnd = random.Random(args.seed)
    state_file = ROOT / "bench" / "results" / "national-personas.json"
    state_file.parent.mkdir(exist_ok=True)
    if args.skip_build:
        built = json.loads(state_file.read_text())
    else:
        built = build(args, rnd)
        state_file.write_text(json.dumps(built))
    cookies = {uid: session_cookie(uid) for uid in {u for _n, _p, u in pages(built["personas"])}}
    servers = serve(args)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except Exception:
                time.sleep(0.3)
        cursor = cursor_of_page(base, cookies[built["personas"]["board_root"]], 500, args.timeout)
        personas = {**built["personas"], "api_p500_cursor": cursor}
        targets = [(name, path, cookies[uid]) for name, path, uid in pages(personas)]
        for _name, path, cookie in targets:  # warm-up: each page once
            fetch(base, path, cookie, args.timeout)
        results = {
            "sizes": vars(args),
            "build": {k: v for k, v in built.items() if k != "personas"},
        }
        phases = set(args.phases.split(","))
        for concurrency in (1, 8):
            if f"c{concurrency}" not in phases:
                continue
            results[f"c{concurrency}"] = measure(
                base, targets, concurrency=concurrency, seconds=args.seconds,
                rounds=args.rounds, timeout=args.timeout, rnd=rnd,
            )  # fmt: skip
            print(table(f"concurrency {concurrency}", results[f"c{concurrency}"]), flush=True)
        # Issue 12: the floor's own p95 while 8 clients load only the heaviest pages (the
        # bulkhead's test): one more client asks for the floor alone meanwhile.
        heavy = [t for t in targets if t[0] in HEAVY]
        floor_only = [t for t in targets if t[0] == "floor"]
        if "heavy8" in phases:
            # The idle reference: the floor alone, by the same probe, for half as long as under
            # the load, in windows alternating with the loaded ones (c1's 30 samples make a p95
            # of their second slowest: too noisy to divide by; one idle window before the load
            # moved with the machine's speed from run to run).
            results["floor_idle"], results["heavy8"] = alternating(
                base, heavy, floor_only, clients=8, seconds=args.seconds,
                windows=args.windows, timeout=args.timeout, rnd=rnd,
            )  # fmt: skip
            idle_row = results["floor_idle"]["floor"]
            idle = idle_row["p95"] or 1
            loaded = results["heavy8"]["floor"]["p95"] or 0
            print(table("8 clients on the heaviest pages, 1 on the floor", results["heavy8"]))
            print(
                f"floor p95 idle {idle} ms ({idle_row['n']} requests alone), under the heavy "
                f"load {loaded} ms: {loaded / idle:.2f}x"
            )
    finally:
        for process in reversed(servers):
            process.terminate()
            process.wait()
    if not args.skip_commands:
        results["commands"] = timed_commands()
        for label, r in results["commands"].items():
            print(f"{label}: {r['seconds']} s  {r.get('summary', '')}")
    out = ROOT / "bench" / "results" / f"national-{args.proposals}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
