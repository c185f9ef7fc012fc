"""`manage.py verify_ledger` streams: proposals are read in chunks and the chains of the last
signed checkpoint are looked up in chunks, so its memory stays flat however many proposals there
are; its output stays the operators' English (see the command's docstring)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.checkpoints import checkpoint_create
from ledger.management.commands import verify_ledger
from tests.factories.proposals import ProposalFactory, submitted
from tests.ledger.tamper import recompute_from, sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(org):
    return [
        submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
        for _ in range(3)
    ]


@pytest.fixture
def chunk_of_two(monkeypatch):
    monkeypatch.setattr(verify_ledger, "CHUNK", 2)


def test_proposals_are_verified_in_chunks(three, chunk_of_two, capsys):
    with CaptureQueriesContext(connection) as queries:
        call_command("verify_ledger")
    out = capsys.readouterr().out
    chains = [q for q in queries.captured_queries if 'FROM "ledger_ledgerentry"' in q["sql"]]
    assert len(chains) == 2  # three chains, two at a time
    assert all(f"OK      {p.code}  1 entries" in out for p in three)
    assert out.rstrip().endswith("3 checked, 0 broken.")


def test_the_chains_the_checkpoint_saw_are_looked_up_in_chunks(three, chunk_of_two, capsys):
    checkpoint_create(reason="daily")
    gone = three[1]
    # The code the checkpoint saw is no longer in the database (the renamed row itself is broken).
    sql("UPDATE proposals_proposal SET code = %s WHERE id = %s", ["DX-0000-999999", gone.pk])
    with CaptureQueriesContext(connection) as queries, pytest.raises(SystemExit):
        call_command("verify_ledger")
    out = capsys.readouterr().out
    assert (
        f"BROKEN  {gone.code}  first bad entry: seq 1 of 0: the proposal and its 1 entries "
        "the last signed checkpoint saw are gone"
    ) in out
    assert out.rstrip().endswith("3 checked, 2 broken.")
    lookups = [q for q in queries.captured_queries if '"code" IN' in q["sql"]]
    assert len(lookups) == 2  # three codes, two at a time


def test_a_frozen_version_rewritten_out_of_shape_is_reported_not_a_crash(three, capsys):
    """An attacker with SQL access rewrites a frozen version into a shape no freeze writes (its
    authors as bare ids), recomputes its hash and re-chains the ledger over it (no checkpoint
    yet): the chain holds, the authors' cross-check names the proposal as broken, and the command
    goes on with the others."""
    import json

    from proposals.hashing import version_hash

    target = three[0]
    version = target.versions.get(number=target.version)
    content = {**version.content, "authors": [target.created_by_id]}
    sql(
        "UPDATE proposals_proposalversion SET content = %s, content_hash = %s WHERE id = %s",
        [json.dumps(content), version_hash(content), version.pk],
    )
    sql(
        "UPDATE ledger_ledgerentry SET dossier_hash = %s "
        "WHERE proposal_id = %s AND dossier_hash = %s",
        [version_hash(content), target.pk, version.content_hash],
    )
    recompute_from(target, 1)
    with pytest.raises(SystemExit):
        call_command("verify_ledger")
    out = capsys.readouterr().out
    assert f"BROKEN  {target.code}  first bad entry: seq 1" in out
    assert all(f"OK      {p.code}  1 entries" in out for p in three[1:])
    assert out.rstrip().endswith("3 checked, 1 broken.")


def test_it_reports_its_progress_on_stderr(three, monkeypatch, capsys):
    monkeypatch.setattr(verify_ledger, "CHUNK", 1)  # progress is counted as chunks end
    monkeypatch.setattr(verify_ledger, "PROGRESS_EVERY", 2)
    call_command("verify_ledger")
    captured = capsys.readouterr()
    assert "progress: 2 of 3 proposals (" in captured.err
    assert captured.err.rstrip().splitlines()[-1].startswith("verified 3 in ")
    assert "progress" not in captured.out  # the report itself is unchanged


def noting_in_each_verification(monkeypatch, path, what):
    """Each proposal verified appends "<pid> <what()>" to `path` (workers are other processes:
    a file is what they share with the test)."""
    import os

    verify = verify_ledger.proposal_verify

    def noting(item, **kwargs):
        with path.open("a") as out:
            out.write(f"{os.getpid()} {what()}\n")
        return verify(item, **kwargs)

    monkeypatch.setattr(verify_ledger, "proposal_verify", noting)
    return path


@pytest.mark.django_db(transaction=True)
def test_workers_verify_side_by_side_and_report_as_one_process_does(
    postgres, org, monkeypatch, capsys, tmp_path
):
    """`--workers 2`: the chunks are verified by two other processes, each on its own
    connection; the report is line for line the one a single process writes, a tampered proposal
    included."""
    import os

    from django.db import transaction

    from tests.factories.units import UnitFactory

    five = [
        submitted(ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre)
        for _ in range(5)
    ]
    with transaction.atomic():  # an attacker with SQL access moves one to another authority
        sql(
            "UPDATE proposals_proposal SET deciding_unit_id = %s WHERE id = %s",
            [UnitFactory().pk, five[2].pk],
        )
    monkeypatch.setattr(verify_ledger, "CHUNK", 2)
    pids = noting_in_each_verification(monkeypatch, tmp_path / "pids", lambda: "")
    with pytest.raises(SystemExit):
        call_command("verify_ledger")
    alone = capsys.readouterr().out
    pids.unlink()
    with pytest.raises(SystemExit):
        call_command("verify_ledger", workers=2)
    side_by_side = capsys.readouterr()

    assert side_by_side.out == alone
    assert f"BROKEN  {five[2].code}  first bad entry: seq 1 of 1" in alone
    assert alone.rstrip().endswith("5 checked, 1 broken.")
    workers = set(pids.read_text().split())
    assert 1 <= len(workers) <= 2 and str(os.getpid()) not in workers
    assert side_by_side.err.rstrip().splitlines()[-1].startswith("verified 5 in ")


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_no_worker_starts_on_a_connection_of_the_commands(postgres, three, monkeypatch, tmp_path):
    """A connection the command's process holds on any alias (here the read replica, opened
    before the command runs) is not what a worker talks on: two processes on one socket read
    each other's results (CI once saw a worker's two-column query answered with a row of
    another query's)."""
    import os

    from django.db import connections

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connections["replica"].connection is not None
    monkeypatch.setattr(verify_ledger, "CHUNK", 1)
    seen = noting_in_each_verification(
        monkeypatch, tmp_path / "seen", lambda: connections["replica"].connection is None
    )
    call_command("verify_ledger", workers=2)

    lines = seen.read_text().split("\n")[:-1]
    assert len(lines) == 3 and str(os.getpid()) not in {line.split()[0] for line in lines}
    assert {line.split()[1] for line in lines} == {"True"}


def test_workers_inside_a_transaction_or_on_sqlite_verify_in_this_process(three, capsys):
    """Inside a caller's transaction (as here) or on SQLite, `--workers` is not a reason to close
    the connection and fork: the same report comes from this process."""
    call_command("verify_ledger", workers=2)
    out = capsys.readouterr().out
    assert all(f"OK      {p.code}  1 entries" in out for p in three)
    assert out.rstrip().endswith("3 checked, 0 broken.")
    assert connection.in_atomic_block  # the test's transaction is still there
