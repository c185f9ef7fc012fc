"""The cross-check registry: for each kind of row whose facts a ledger entry records, the app that
owns the row declares how to compare the rows with the chain. Verification (`ledger_verify`) runs
every declared check, so a vote, an opinion, an author, a plan version… edited, added or deleted in
the database behind the application's back is reported at the entry that recorded it.

    from ledger.records import register
    register("votes", votes_match, label=pgettext_lazy("record kind", "Vote"))
    # in <app>/records.py, imported by the app's ready()

The label names the kind of record to the reader of a failed verification (the page, the API);
the name is what the operators' command prints and monitoring greps.

A check takes (proposal, entries: the chain in order) and answers the seq of the first entry
whose recorded facts the rows no longer match, or None. A row no entry recorded is reported at the
last entry of the chain."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation


@dataclass(frozen=True)
class RowKind:
    name: str
    check: Callable
    label: object = None


_registry: dict[str, RowKind] = {}
# Labels of the kinds of record checked outside the registry (a proposal's frozen versions, its
# state: `ledger_verify`'s own arguments).
_labels: dict[str, object] = {}


def register(name: str, check: Callable, *, label) -> None:
    _registry[name] = RowKind(name, check, label)
    _labels[name] = label


def register_label(name: str, label) -> None:
    """Names a kind of record that a check outside the registry compares."""
    _labels[name] = label


def kinds() -> list[RowKind]:
    return list(_registry.values())


def kind_label(name: str) -> str:
    """The kind of record, for a reader, in the active language ("Phiếu biểu quyết")."""
    label = _labels.get(name)
    return str(label) if label is not None else name


def kind_label_en(name: str) -> str:
    """The same in English, for the operators' command and logs."""
    with translation.override("en"):
        return kind_label(name)


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
