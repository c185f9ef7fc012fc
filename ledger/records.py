"""The cross-check registry: for each kind of row whose facts a ledger entry records, the app that
owns the row declares how to compare the rows with the chain. Verification (`ledger_verify`) runs
every declared check, so a vote, an opinion, an author, a plan version… edited, added or deleted in
the database behind the application's back is reported at the entry that recorded it.

    from ledger.records import register
    register("votes", votes_match)  # in <app>/records.py, imported by the app's ready()

A check takes (proposal, entries: the chain in order) and answers the seq of the first entry
whose recorded facts the rows no longer match, or None. A row no entry recorded is reported at the
last entry of the chain."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RowKind:
    name: str
    check: Callable


_registry: dict[str, RowKind] = {}


def register(name: str, check: Callable) -> None:
    _registry[name] = RowKind(name, check)


def kinds() -> list[RowKind]:
    return list(_registry.values())


def last_seq(entries) -> int:
    """Where a row that no entry recorded is reported: the chain's last entry (1 when empty)."""
    return entries[-1].seq if entries else 1


def keyed_mismatch(recorded: dict, rows: dict, entries) -> int | None:
    """The usual comparison: `recorded` maps a key to (entry, the facts the entry recorded),
    `rows` maps a key to the facts the rows say today. Answers the seq of the first entry whose
    facts differ or whose row is gone; a row that no entry recorded is reported at the last
    entry; None when they agree."""
    bad = [entry.seq for key, (entry, facts) in recorded.items() if rows.get(key, _GONE) != facts]
    if set(rows) - set(recorded):
        bad.append(last_seq(entries))
    return min(bad, default=None)


_GONE = object()


def stored_sha256(field) -> str | None:
    """The SHA-256 of a stored file, read in chunks (None: no file, or gone from the storage)."""
    if not field:
        return None
    digest = hashlib.sha256()
    try:
        with field.storage.open(field.name, "rb") as stored:
            for chunk in stored.chunks():
                digest.update(chunk)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def first_mismatch(proposal, entries) -> tuple[int, str] | None:
    """(seq, kind) of the earliest entry any declared check finds contradicted, else None."""
    found = []
    for kind in _registry.values():
        seq = kind.check(proposal, entries)
        if seq is not None:
            found.append((seq, kind.name))
    return min(found) if found else None
