"""Raw-SQL tampering helpers: what someone with database access, not the application, can do."""

import json
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection

from ledger.hashing import canonical_json, hash_of_entry
from ledger.models import LedgerEntry


def sql(statement, params=()):
    """Runs SQL as the database superuser would: on PostgreSQL with the append-only triggers
    switched off for this transaction (session_replication_role = replica), which only a
    superuser may do. Verification must still catch what it changes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)


def entries(proposal):
    return list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))


def recompute_from(proposal, seq, *, payload=None):
    """Changes entry `seq` (its payload, when given) and recomputes the hashes of it and of every
    later entry, so the chain is self-consistent again: what a forger without a key does."""
    chain = entries(proposal)
    previous = chain[seq - 2].hash if seq > 1 else "0" * 64
    for entry in chain[seq - 1 :]:
        if entry.seq == seq and payload is not None:
            entry.payload = json.loads(canonical_json(payload))
        entry.prev_hash = previous
        entry.hash = hash_of_entry(entry, proposal.code)
        previous = entry.hash
    # Unique hashes: write temporary ones first.
    for entry in chain[seq - 1 :]:
        sql("UPDATE ledger_ledgerentry SET hash = %s WHERE id = %s", [f"tmp{entry.pk}", entry.pk])
    for entry in chain[seq - 1 :]:
        sql(
            "UPDATE ledger_ledgerentry SET payload = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(entry.payload), entry.prev_hash, entry.hash, entry.pk],
        )


def append_forged(proposal, *, event="lesson_publish", at=None, payload=None):
    """A new entry at the end of the chain with a correct hash, written with SQL."""
    chain = entries(proposal)
    last = chain[-1]
    forged = LedgerEntry(
        proposal=proposal,
        seq=last.seq + 1,
        at=at or last.at + timedelta(seconds=1),
        actor_id=last.actor_id,
        event=event,
        from_state=last.to_state,
        to_state=last.to_state,
        payload=payload or {},
        dossier_hash="",
        prev_hash=last.hash,
    )
    forged.hash = hash_of_entry(forged, proposal.code)
    sql(
        "INSERT INTO ledger_ledgerentry (proposal_id, seq, at, actor_id, event, from_state, "
        "to_state, payload, dossier_hash, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            proposal.pk,
            forged.seq,
            forged.at,
            forged.actor_id,
            forged.event,
            forged.from_state,
            forged.to_state,
            json.dumps(forged.payload),
            "",
            forged.prev_hash,
            forged.hash,
        ],
    )
    return forged


@contextmanager
def tampering():
    """A cursor that writes as the database superuser would (see `sql`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
