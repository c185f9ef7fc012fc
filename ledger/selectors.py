from dataclasses import dataclass

from .hashing import GENESIS, hash_of_entry
from .models import LedgerEntry


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    head: str
    first_bad_seq: int | None

    def as_dict(self):
        return {
            "valid": self.valid,
            "entries": self.entries,
            "head": self.head,
            "first_bad_seq": self.first_bad_seq,
        }


def ledger_entries(proposal):
    return LedgerEntry.objects.filter(proposal=proposal).select_related("actor").order_by("seq")


def ledger_verify(proposal, *, valid_dossier_hashes=None, record_checks=()) -> Verification:
    """Recomputes the chain and names the first entry that does not match: a changed field, a broken
    link to its predecessor, a gap in the sequence, (when given) a dossier hash that no longer
    matches any frozen version, or an entry whose `record_checks(proposal, entry)` finds that a
    row of the database no longer says what the entry recorded."""
    entries = list(LedgerEntry.objects.filter(proposal=proposal).order_by("seq"))
    head = entries[-1].hash if entries else GENESIS
    previous = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        broken = (
            entry.seq != expected_seq
            or entry.prev_hash != previous
            or hash_of_entry(entry, proposal.code) != entry.hash
            or (
                valid_dossier_hashes is not None
                and entry.dossier_hash
                and entry.dossier_hash not in valid_dossier_hashes
            )
            or any(
                not check(proposal, entry, is_last=entry is entries[-1]) for check in record_checks
            )
        )
        if broken:
            return Verification(False, len(entries), head, entry.seq)
        previous = entry.hash
    return Verification(True, len(entries), head, None)
