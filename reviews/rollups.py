"""The dashboard's roll-ups (issue 12): per unit, per period bucket, per figure, for the unit's
whole subtree (models.Rollup), kept in the same transaction as every change.

- A proposal's own row (state, submission, decision, adoption, lesson, open deadline) is reconciled
  on every ledger entry (`ledger.signals.entry_appended`, sent inside the transaction): its share
  (models.RollupShare) says what it added last time, so the receiver takes that away and adds what
  the row says now. Any change, whichever service made it, is caught by the entry that records
  it; a proposal put in a state behind the services' back is caught by its next entry.
- The rows that only ever get created (evaluations, responsibility decisions, recognitions,
  referrals, institutionalisations) are counted by the service that creates them (`count_records`).
- Each change is one INSERT … ON CONFLICT DO UPDATE adding deltas to the counters (PostgreSQL and
  SQLite): concurrent transitions never lose an update; rows are written in one order (unit,
  period, key, via) so two transactions do not wait on each other crosswise within a statement.
- `rebuild` recomputes everything from the rows (after a bulk load, or as a repair); `expected`
  is the same computation without writing, which the tests compare with the table.
"""

from collections import Counter
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from proposals.models import DECISION_STATES, Proposal, State
from units.models import Unit

from .models import (
    AbuseReferral,
    Evaluation,
    Institutionalization,
    Lesson,
    Recognition,
    ResponsibilityDecision,
    Rollup,
    RollupShare,
)

# The figures counted per decision, by who decided (`via`).
DECISION_KEYS = ("decided", "approved", "on_time", "late")
# Figures whose period bucket is the quarter they happened in and that a period selects.
IN_PERIOD_KEYS = ("submitted", *DECISION_KEYS, "adoption", "referred", "institutionalized")
IN_PERIOD_PREFIXES = ("outcome:", "protection:", "recognition:")
STATE_PREFIX = "state:"

PROPOSAL_FIELDS = (
    "version",
    "state",
    "created_at",
    "submitted_at",
    "decided_at",
    "decided_due",
    "deciding_unit_id",
    "origin_id",
    "published_at",
    "decision_due",
)


def quarter(moment: datetime | date) -> date:
    """The first day of the quarter of a moment (in local time) or of a date."""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def proposal_cells(row, *, has_lesson: bool) -> list[list]:
    """What a proposal's row adds to its home unit's subtree: `[key, period, deciding unit id or 0,
    n, duration]`, sorted. `row` is a Proposal or anything with its PROPOSAL_FIELDS as attributes.
    Only submitted proposals count (a draft is its authors' business)."""
    if not row.version:
        return []
    created = quarter(row.created_at).isoformat()
    cells = [[STATE_PREFIX + row.state, created, 0, 1, 0]]
    if row.submitted_at is not None:
        cells.append(["submitted", quarter(row.submitted_at).isoformat(), 0, 1, 0])
        if row.decided_at is not None:
            # Adoptions were decided by a directive, not on a submission: not counted.
            decided = quarter(row.decided_at).isoformat()
            by = row.deciding_unit_id or 0
            took = (row.decided_at - row.submitted_at) // _MICROSECOND
            cells.append(["decided", decided, by, 1, took])
            if row.state != State.REJECTED:
                cells.append(["approved", decided, by, 1, 0])
            if row.decided_due is not None:
                on_time = timezone.localtime(row.decided_at).date() <= row.decided_due
                cells.append(["on_time" if on_time else "late", decided, by, 1, 0])
    if row.origin_id is not None:
        cells.append(["adoption", created, 0, 1, 0])
    if row.published_at is not None and has_lesson:
        cells.append(["lesson", created, 0, 1, 0])
    if row.state in DECISION_STATES and row.decision_due is not None:
        cells.append(["due", row.decision_due.isoformat(), 0, 1, 0])
    return sorted(cells)


_MICROSECOND = datetime.resolution


def _spread(chain: list[int], cells: list[list], sign: int, into: Counter, durations: Counter):
    """Adds the cells to every unit of the chain (root first, home unit last)."""
    for key, period, by, n, duration in cells:
        depth_of_decider = chain.index(by) if by in chain else None
        for depth, unit_id in enumerate(chain):
            via = 0
            if key in DECISION_KEYS:
                below = depth_of_decider is not None and depth_of_decider > depth
                via = chain[depth + 1] if below else by
            cell = (unit_id, period, key, via)
            into[cell] += sign * n
            durations[cell] += sign * duration


def _chain(unit: Unit) -> list[int]:
    """The ids of the unit's ancestors and of itself, root first (one query)."""
    ids = dict(Unit.objects.filter(path__in=unit.ancestor_paths()).values_list("path", "pk"))
    return [ids[path] for path in unit.ancestor_paths() if path in ids]


def _apply(counts: Counter, durations: Counter) -> None:
    """Adds the deltas to the counters, creating the missing ones: one statement."""
    cells = sorted(cell for cell in counts if counts[cell] or durations[cell])
    if not cells:
        return
    table = connection.ops.quote_name(Rollup._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    values, params = [], []
    for unit_id, period, key, via in cells:
        values.append("(%s, %s, %s, %s, %s, %s)")
        cell = (unit_id, period, key, via)
        params += [unit_id, adapt(date.fromisoformat(period)), key, via]
        params += [counts[cell], durations[cell]]
    # Only the table's own name and placeholders are formatted in; the values are parameters.
    rows = ", ".join(values)
    increment = f"n = {table}.n + EXCLUDED.n, duration = {table}.duration + EXCLUDED.duration"
    sql = (
        f"INSERT INTO {table} (unit_id, period, key, via, n, duration) VALUES {rows} "  # noqa: S608
        f"ON CONFLICT (unit_id, period, key, via) DO UPDATE SET {increment}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def proposal_reconcile(proposal: Proposal) -> None:
    """Brings the roll-ups in line with what the proposal's row says now. Runs inside the
    transaction of the change, with the proposal locked (as every ledger entry is written)."""
    if not proposal.version:
        return  # never counted: drafts are not shown
    has_lesson = (
        proposal.published_at is not None
        and Lesson.objects.filter(proposal_id=proposal.pk).exists()
    )
    cells = proposal_cells(proposal, has_lesson=has_lesson)
    share = RollupShare.objects.filter(proposal_id=proposal.pk).first()
    if share is not None and share.cells == cells:
        return
    chain = _chain(proposal.home_unit)
    counts, durations = Counter(), Counter()
    if share is not None:
        _spread(share.chain, share.cells, -1, counts, durations)
    _spread(chain, cells, 1, counts, durations)
    _apply(counts, durations)
    if share is None:
        RollupShare.objects.create(proposal_id=proposal.pk, chain=chain, cells=cells)
    else:
        RollupShare.objects.filter(proposal_id=proposal.pk).update(chain=chain, cells=cells)


proposal_reconcile.alters_data = True


def on_entry_appended(sender, *, entry, proposal, **kwargs):
    proposal_reconcile(proposal)


def count_records(proposal: Proposal, records: list[tuple[str, datetime]]) -> None:
    """Counts rows just created for the proposal (an evaluation, responsibility decisions,
    recognitions, a referral, an institutionalisation): `(key, created_at)` each."""
    if not records:
        return
    chain = _chain(proposal.home_unit)
    counts, durations = Counter(), Counter()
    cells = [[key, quarter(at).isoformat(), 0, 1, 0] for key, at in records]
    _spread(chain, cells, 1, counts, durations)
    _apply(counts, durations)


count_records.alters_data = True


def on_unit_moved(sender, *, unit, **kwargs):
    """A unit moved with its subtree: its old and new ancestors' figures change. Moves are rare
    administrative acts, so everything is recomputed (in the move's transaction)."""
    rebuild()


# --- recomputing from the rows --------------------------------------------------------------------


def _chains() -> dict[int, list[int]]:
    """Every unit's chain of ids, root first (one query)."""
    units = list(Unit.objects.values_list("pk", "path", "depth"))
    by_path = {path: pk for pk, path, _depth in units}
    steplen = Unit.steplen
    return {
        pk: [by_path[path[: steplen * level]] for level in range(1, depth + 1)]
        for pk, path, depth in units
    }


class _Row:
    __slots__ = ("home_unit_id", "pk", "has_lesson", *PROPOSAL_FIELDS)

    def __init__(self, values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def _record_cells():
    """(home unit id, key, created_at) of every row counted once, when created."""
    sources = (
        (Evaluation, "outcome", "outcome:"),
        (ResponsibilityDecision, "decision", "protection:"),
        (Recognition, "kind", "recognition:"),
        (AbuseReferral, None, "referred"),
        (Institutionalization, None, "institutionalized"),
    )
    for model, field, key in sources:
        fields = ["proposal__home_unit_id", "created_at"] + ([field] if field else [])
        for row in model.objects.values_list(*fields).iterator(chunk_size=5000):
            yield row[0], key + row[2] if field else key, row[1]


def _compute(shares: list | None) -> tuple[Counter, Counter]:
    """The roll-ups as the rows say they should be; fills `shares` with each proposal's share
    when given."""
    chains = _chains()
    per_home, per_home_duration = Counter(), Counter()
    rows = (
        Proposal.objects.filter(version__gt=0)
        .annotate(has_lesson=Exists(Lesson.objects.filter(proposal=OuterRef("pk"))))
        .values_list(*_Row.__slots__)
        .order_by()
    )
    for values in rows.iterator(chunk_size=5000):
        row = _Row(values)
        cells = proposal_cells(row, has_lesson=row.has_lesson)
        for key, period, by, n, duration in cells:
            per_home[row.home_unit_id, key, period, by] += n
            per_home_duration[row.home_unit_id, key, period, by] += duration
        if shares is not None:
            shares.append(
                RollupShare(proposal_id=row.pk, chain=chains[row.home_unit_id], cells=cells)
            )
    for home, key, at in _record_cells():
        per_home[home, key, quarter(at).isoformat(), 0] += 1
    counts, durations = Counter(), Counter()
    for (home, key, period, by), n in per_home.items():
        cell = [key, period, by, n, per_home_duration[home, key, period, by]]
        _spread(chains[home], [cell], 1, counts, durations)
    return counts, durations


def expected() -> dict:
    """{(unit id, period, key, via): (n, duration)} as a recount from the rows gives them."""
    counts, durations = _compute(None)
    return {
        (u, date.fromisoformat(p), k, v): (n, durations[u, p, k, v])
        for (u, p, k, v), n in counts.items()
        if n or durations[u, p, k, v]
    }


def current() -> dict:
    """The same, as the table holds it (cells at zero left out)."""
    return {
        (u, p, k, v): (n, d)
        for u, p, k, v, n, d in Rollup.objects.values_list(
            "unit_id", "period", "key", "via", "n", "duration"
        )
        if n or d
    }


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Recomputes every roll-up and every proposal's share from the rows. Returns (roll-up rows,
    shares). Locks both tables meanwhile on PostgreSQL, so no change slips between."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {Rollup._meta.db_table}, {RollupShare._meta.db_table} "
                "IN EXCLUSIVE MODE"
            )
    Rollup.objects.all().delete()
    RollupShare.objects.all().delete()
    shares: list = []
    counts, durations = _compute(shares)
    RollupShare.objects.bulk_create(shares, batch_size=5000)
    rollups = [
        Rollup(
            unit_id=u,
            period=date.fromisoformat(p),
            key=k,
            via=v,
            n=n,
            duration=durations[u, p, k, v],
        )
        for (u, p, k, v), n in sorted(counts.items())
        if n or durations[u, p, k, v]
    ]
    Rollup.objects.bulk_create(rollups, batch_size=5000)
    return len(rollups), len(shares)
