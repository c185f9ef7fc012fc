"""The operators' check of every ledger. Its output stays in English on purpose: it is read on the
server, in logs and alerts, by the people who run KL14, and its lines ("OK", "BROKEN  <code>  first
bad entry: seq N … (<row kind>)") are what monitoring greps; Django runs management commands with
translation deactivated for the same reason. Users see the same verification in their language on
the proposal's page, the dossier verification page and the API.

It streams: proposals are verified a chunk at a time, and within a chunk every kind of row the
checks compare (the chains, the votes, the plans…) is read in one query for the whole chunk
(ledger.records.batch), then dropped with it; the chains the last signed checkpoint saw are looked
up in chunks too. Memory stays flat however many proposals there are, and the queries number a few
dozen per chunk, not per proposal. With `--workers N` (PostgreSQL), N processes verify chunks side
by side, each on its own database connection; the report keeps the order of the proposals."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kl14.processes import forked_pool
from ledger.checkpoints import latest_anchor
from ledger.records import batch, kind_label_en
from ledger.selectors import one_snapshot
from proposals.models import Proposal
from proposals.selectors import proposal_verify

CHUNK = 500
PROGRESS_EVERY = 10_000  # proposals between two progress lines (on stderr)

REASONS = {
    "chain": "an entry was changed, inserted, removed or reordered",
    "truncated": "entries the last signed checkpoint saw are missing",
    "rewritten": "the chain up to this entry was recomputed since the last signed checkpoint",
    "backdated": "an entry dated before the last signed checkpoint, which did not cover it",
    "missing": "the proposal's state implies entries that are not there",
}
ANCHOR_PROBLEMS = {
    "signature": "its signature does not verify: the row was altered",
    "content": "its content cannot be read",
    "root": "its Merkle root does not match its heads",
    "missing_in_database": "exported, but the database no longer holds it",
}


def describe(result) -> str:
    """Why the first bad entry is bad; for a recorded row, which kind of record, by its English
    label and its registry name: "a vote of the leadership collective … (votes)"."""
    kind = result.record_kind
    if kind:
        return (
            f"a database row no longer says what the entry recorded: "
            f"{kind_label_en(kind).lower()} ({kind})"
        )
    return REASONS.get(result.reason, result.reason)


def line_of(item, result) -> str:
    if result.valid:
        return f"OK      {item.code}  {result.entries} entries  head {result.head}"
    return (
        f"BROKEN  {item.code}  first bad entry: seq {result.first_bad_seq} "
        f"of {result.entries}: {describe(result)}"
    )


# The checkpoint the chunks are compared with: loaded once by the command, before any chunk is
# verified (and before the workers are forked).
_anchor = None


def verify_range(bounds: tuple[int, int]) -> tuple[list[str], int, int]:
    """One worker's chunk: the report lines of the proposals with keys in `bounds`, how many of
    them are broken, how many were checked."""
    first, last = bounds
    lines, broken = [], 0
    # The chunk's rows and chains as of one moment: a step committed meanwhile is not tampering.
    with one_snapshot():
        chunk = list(
            Proposal.objects.filter(pk__gte=first, pk__lte=last)
            .select_related("deciding_unit", "origin")  # what the checks compare with the entries
            .order_by("pk")
        )
        with batch(chunk):
            for item in chunk:
                result = proposal_verify(item, anchor=_anchor, read_in_snapshot=True)
                broken += not result.valid
                lines.append(line_of(item, result))
    return lines, broken, len(chunk)


def ranges(queryset):
    """(first key, last key) of each run of CHUNK proposals, in order."""
    keys = queryset.values_list("pk", flat=True).iterator(chunk_size=10 * CHUNK)
    chunk = []
    for key in keys:
        chunk.append(key)
        if len(chunk) == CHUNK:
            yield chunk[0], chunk[-1]
            chunk = []
    if chunk:
        yield chunk[0], chunk[-1]


def gone(heads: dict):
    """(code, seq) of each chain the signed checkpoint saw whose proposal is no longer in the
    database, in code order, looked up CHUNK codes at a time."""
    codes = sorted(heads)
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        present = set(Proposal.objects.filter(code__in=chunk).values_list("code", flat=True))
        for code in chunk:
            if code not in present:
                yield code, heads[code][0]


class Command(BaseCommand):
    help = (
        "Recompute every proposal's ledger chain (or one, with --proposal CODE), cross-check the "
        "rows it recorded and compare it with the last signed checkpoint; name the first broken "
        "entry. Exits 1 when anything is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--proposal", metavar="CODE", help="Verify only this proposal.")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            metavar="N",
            help="Processes verifying side by side, each with its own database connection "
            "(PostgreSQL; about one per free core of this machine and of the database's).",
        )

    def handle(self, *args, proposal=None, workers=1, **options):
        proposals = Proposal.objects.order_by("pk")
        if proposal:
            proposals = Proposal.objects.filter(code=proposal)
            if not proposals.exists():
                raise CommandError(f"No proposal with code {proposal}.")
        anchor = latest_anchor()
        broken = len(anchor.problems)
        for problem in anchor.problems:
            self.stdout.write(
                f"BROKEN  checkpoint {problem.source}: {ANCHOR_PROBLEMS.get(problem.reason)}"
            )
        if anchor.signed is not None:
            self.stdout.write(
                f"Compared with the signed checkpoint of {anchor.signed.created_at:%Y-%m-%d %H:%M} "
                f"({anchor.signed.source}, {len(anchor.signed.heads)} chains)."
            )
        else:
            self.stdout.write("No signed checkpoint yet: chains are compared with nothing outside.")
        checked, total, started = 0, proposals.count(), time.monotonic()
        # Side by side only on PostgreSQL, outside any transaction of the caller's (the command
        # closes its connections before forking the workers).
        parallel = workers > 1 and not proposal and connection.vendor == "postgresql"
        global _anchor
        _anchor = anchor
        if parallel and not connection.in_atomic_block:
            reports = self._in_parallel(proposals, workers)
        else:
            reports = map(verify_range, list(ranges(proposals)))
        next_progress = PROGRESS_EVERY
        for lines, bad, count in reports:
            for line in lines:
                self.stdout.write(line)
            broken += bad
            checked += count
            if checked >= next_progress and checked < total:
                self._progress(checked, total, time.monotonic() - started)
                next_progress += PROGRESS_EVERY
        if anchor.signed is not None and not proposal:
            for code, seq in gone(anchor.signed.heads):
                broken += 1
                self.stdout.write(
                    f"BROKEN  {code}  first bad entry: seq 1 of 0: the proposal and its "
                    f"{seq} entries the last signed checkpoint saw are gone"
                )
        self.stdout.write(f"{checked} checked, {broken} broken.")
        self.stderr.write(f"verified {checked} in {time.monotonic() - started:.0f} s")
        if broken:
            raise SystemExit(1)

    def _in_parallel(self, proposals, workers):
        """The chunks' reports in order, verified by `workers` forked processes. Each opens its
        own connection: the command's own are closed before they are forked, and whatever else
        a worker inherits is set aside unused (`kl14.processes.fresh_connections`)."""
        bounds = list(ranges(proposals))  # two keys per chunk: 4,000 numbers for 1M proposals
        with forked_pool(workers) as pool:
            yield from pool.imap(verify_range, bounds)

    def _progress(self, checked: int, total: int, seconds: float) -> None:
        """A line on stderr (stdout stays the report monitoring greps): how far, how fast."""
        rate = checked / seconds if seconds else 0
        left = (total - checked) / rate if rate else 0
        self.stderr.write(
            f"progress: {checked} of {total} proposals "
            f"({rate:.0f}/s, about {left / 60:.0f} min left)"
        )
