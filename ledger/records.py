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
last entry of the chain.

A check reads the rows it compares through `rows_of(proposal, QUERYSET, key)`. Inside
`batch(proposals)`, each such queryset is read once for the whole batch, the first time any of its
proposals asks, then served from memory: `proposals.selectors.proposal_verify` opens a batch of its
one proposal (checks that share a queryset share its read), the operators' command a batch per chunk
of 500. The same checks run either way, so what the page and the API verify is what the command
verifies."""

import hashlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import F
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


# --- reading the rows of many proposals at once ----------------------------------------------

BATCH_KEY = "verify_batch_key"


@dataclass
class _Batch:
    keys: frozenset
    read: dict = field(default_factory=dict)  # (id(queryset), key) -> (queryset, {key: [rows]})


_batch: ContextVar[_Batch | None] = ContextVar("ledger_records_batch", default=None)


@contextmanager
def batch(proposals: Iterable):
    """Within it, `rows_of` reads each queryset's rows for all of `proposals` in one query (kept
    in memory until the block ends: one chunk's rows, so memory stays bounded). Inside a batch
    that holds them all already, it changes nothing."""
    keys = frozenset(p.pk for p in proposals)
    current = _batch.get()
    if current is not None and keys <= current.keys:
        yield
        return
    token = _batch.set(_Batch(keys))
    try:
        yield
    finally:
        _batch.reset(token)


def rows_of(proposal, queryset, key: str = "proposal_id") -> list:
    """The rows of `queryset` whose `key` (a field or a path: "plan__proposal_id") is the
    proposal's key, in the queryset's order. Pass a queryset made once (a module constant): inside
    a batch, it names what was already read."""
    current = _batch.get()
    if current is None or proposal.pk not in current.keys:
        return list(queryset.filter(**{key: proposal.pk}))
    # Keyed by the queryset's identity, with the queryset kept: no other can take its id meanwhile.
    read = current.read.get((id(queryset), key))
    if read is None:
        grouped = {}
        found = queryset.filter(**{f"{key}__in": current.keys}).annotate(**{BATCH_KEY: F(key)})
        for row in found:
            grouped.setdefault(getattr(row, BATCH_KEY), []).append(row)
        read = current.read[(id(queryset), key)] = (queryset, grouped)
    return read[1].get(proposal.pk, [])


def first_of(proposal, queryset, key: str = "proposal_id"):
    """The first of those rows (the queryset orders them), or None."""
    found = rows_of(proposal, queryset, key)
    return found[0] if found else None
