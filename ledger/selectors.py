from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .hashing import GENESIS, hash_of_entry
from .models import LedgerEntry


@contextmanager
def one_snapshot():
    """Every read inside sees the database as of one moment, and answers whether it opened that
    moment (True) or joined the caller's transaction (False).

    A verification reads a chain, then the rows that mirror it (the proposal's state, votes,
    documents…) in several queries. Under PostgreSQL's READ COMMITTED each query sees what was
    committed when it started, so a step committed between two of them (a submission, a document
    issued by a worker) looked like tampering: 45 of 163 verifications of a proposal being
    submitted and returned said "broken". Here they run in one REPEATABLE READ, READ ONLY
    transaction. SQLite's transaction is one snapshot already. Inside a transaction already
    (a caller's, or a test's), the isolation level can no longer be set: the caller's stands."""
    if connection.in_atomic_block:
        yield False
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield True


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    head: str
    first_bad_seq: int | None
    # Why the first bad entry is bad: "chain", "version", "record:<name>", "truncated",
    # "rewritten", "backdated", "missing".
    reason: str = ""

    @property
    def record_kind(self) -> str | None:
        """The kind of record (ledger.records) whose rows no longer say what the first bad entry
        recorded: "votes", "opinions", "plan_versions"…; None when the chain itself is broken."""
        if self.reason.startswith("record:"):
            return self.reason.removeprefix("record:")
        if self.reason == "version":
            return VERSIONS
        return None

    @property
    def record_label(self) -> str:
        """That kind for a reader, in the active language ("Phiếu biểu quyết"), or ""."""
        from .records import kind_label

        return kind_label(self.record_kind) if self.record_kind else ""

    @property
    def problem(self) -> str:
        """What is wrong, in one sentence of the active language; "" when the ledger verifies."""
        if self.valid:
            return ""
        seq = self.first_bad_seq
        if self.record_kind:
            return _(
                "A record of kind “%(kind)s” no longer says what ledger entry #%(seq)s recorded."
            ) % {"kind": self.record_label, "seq": seq}
        messages = {
            "truncated": _(
                "Entries the last signed checkpoint saw are missing, from entry #%(seq)s on."
            ),
            "rewritten": _(
                "The chain up to entry #%(seq)s was recomputed after the last signed checkpoint."
            ),
            "backdated": _(
                "Entry #%(seq)s is dated before the last signed checkpoint, which did not "
                "include it."
            ),
            "missing": _("The proposal's state implies ledger entries that are not there."),
        }
        default = _("Ledger entry #%(seq)s was changed, inserted, removed or moved.")
        return messages.get(self.reason, default) % {"seq": seq}

    def as_dict(self):
        return {
            "valid": self.valid,
            "entries": self.entries,
            "head": self.head,
            "first_bad_seq": self.first_bad_seq,
            "record_kind": self.record_kind,
            "record_label": self.record_label,
            "problem": self.problem,
        }


# The kind of record a frozen version of the dossier is (its label: proposals/records.py).
VERSIONS = "dossier_versions"


def ledger_entries(proposal):
    return LedgerEntry.objects.filter(proposal=proposal).select_related("actor").order_by("seq")


def ledger_latest(proposal, limit: int, *, hidden_events=()) -> tuple[list, int]:
    """The last `limit` entries in order, and how many come before them (a long ledger is paged
    on the proposal page, in a number of queries that does not grow with its length). Entries of
    `hidden_events` (the secret votes, for whoever is outside the collective) are left out of
    both: the page and its count of earlier steps are those the reader may see."""
    entries = LedgerEntry.objects.filter(proposal=proposal)
    if hidden_events:
        entries = entries.exclude(event__in=hidden_events)
    latest = list(entries.select_related("actor").order_by("-seq")[:limit])
    latest.reverse()
    if not latest:
        return [], 0
    if not hidden_events:
        return latest, latest[0].seq - 1  # seq counts from 1, unbroken
    return latest, entries.filter(seq__lt=latest[0].seq).count()


LOAD = object()
# A chain in order, read through ledger.records.rows_of (a chunk of chains at once in a batch).
CHAIN = LedgerEntry.objects.order_by("proposal_id", "seq")


def ledger_verify(
    proposal,
    *,
    valid_dossier_hashes=None,
    record_checks=(),
    anchor=LOAD,
    min_entries: int = 0,
) -> Verification:
    """Recomputes the chain and names the first entry that does not match: a changed field, a broken
    link to its predecessor, a gap in the sequence, (when given) a dossier hash that no longer
    matches any frozen version, an entry whose `record_checks(proposal, entry)` finds that a
    row of the database no longer says what the entry recorded, a chain that disagrees with the
    latest signed checkpoint (`anchor`: ledger.checkpoints.latest_anchor(), loaded unless given),
    or a chain shorter than `min_entries`, the entries the proposal's state implies."""
    from .checkpoints import chain_against, latest_anchor
    from .records import rows_of

    entries = rows_of(proposal, CHAIN)
    head = entries[-1].hash if entries else GENESIS

    def broken(seq, reason):
        return Verification(False, len(entries), head, seq, reason)

    # The chain itself, then the chain as the signed checkpoint saw it, then what it recorded.
    previous = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if (
            entry.seq != expected_seq
            or entry.prev_hash != previous
            or hash_of_entry(entry, proposal.code) != entry.hash
        ):
            return broken(entry.seq, "chain")
        previous = entry.hash
    if anchor is LOAD:
        anchor = latest_anchor()
    found = chain_against(anchor, proposal.code, entries)
    if found is not None:
        return broken(*found)
    for entry in entries:
        if (
            valid_dossier_hashes is not None
            and entry.dossier_hash
            and entry.dossier_hash not in valid_dossier_hashes
        ):
            return broken(entry.seq, "version")
        for check in record_checks:
            if not check(proposal, entry, is_last=entry is entries[-1]):
                kind = getattr(check, "kind", getattr(check, "__name__", "check"))
                return broken(entry.seq, f"record:{kind}")
    from .records import first_mismatch

    mismatch = first_mismatch(proposal, entries)
    if mismatch is not None:
        return broken(mismatch[0], f"record:{mismatch[1]}")
    if len(entries) < min_entries:
        return broken(len(entries) + 1, "missing")
    return Verification(True, len(entries), head, None)


def ledger_head(proposal) -> tuple[int, str]:
    """(seq, hash) of the proposal's last entry: (0, GENESIS) for an empty chain."""
    last = (
        LedgerEntry.objects.filter(proposal=proposal)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return tuple(last) if last else (0, GENESIS)
