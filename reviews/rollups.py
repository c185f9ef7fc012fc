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

from django.conf import settings
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


def count_records(
    proposal: Proposal,
    records: list[tuple[str, datetime]],
    *,
    replaced: list[tuple[str, datetime]] = (),
) -> None:
    """Counts rows just created for the proposal (an evaluation, responsibility decisions,
    recognitions, a referral, an institutionalisation): `(key, created_at)` each; `replaced`
    are rows that stop counting (a responsibility decision a revision supersedes: only an
    author's current decision counts)."""
    if not records and not replaced:
        return
    chain = _chain(proposal.home_unit)
    counts, durations = Counter(), Counter()
    for sign, rows in ((1, records), (-1, replaced)):
        cells = [[key, quarter(at).isoformat(), 0, 1, 0] for key, at in rows]
        _spread(chain, cells, sign, counts, durations)
    _apply(counts, durations)


count_records.alters_data = True


def on_unit_moved(sender, *, unit, **kwargs):
    """A unit moved with its subtree (in the move's transaction): the proposals of the subtree
    leave their old ancestors' figures and join the new ones'. Each share says along which chain
    its proposal (and the records of that proposal) were counted: its cells and records are
    taken away along that chain and added along the new one, and the share gets the new chain.
    The counters of the subtree's own units come out unchanged (their part of the chain is the
    same); `via` changes where the chain does. Should a share not know the moved unit (a table
    out of step), everything is recomputed instead."""
    in_subtree = {"proposal__home_unit__path__startswith": unit.path}
    units = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", "path", "depth"))
    by_path = dict(Unit.objects.filter(path__in=unit.ancestor_paths()).values_list("path", "pk"))
    by_path.update((path, pk) for pk, path, _depth in units)
    steplen = Unit.steplen
    chains = {
        pk: [by_path[path[: steplen * level]] for level in range(1, depth + 1)]
        for pk, path, depth in units
    }
    counts, durations = Counter(), Counter()
    moved: dict[int, tuple[list[int], list[int]]] = {}  # proposal: (old chain, new chain)
    homes = set()
    shares = RollupShare.objects.filter(**in_subtree).values_list(
        "proposal_id", "proposal__home_unit_id", "chain", "cells"
    )
    for proposal_id, home, old, cells in shares.iterator(chunk_size=5000):
        if unit.pk not in old:
            rebuild()
            return
        moved[proposal_id] = (old, chains[home])
        if old != chains[home]:
            homes.add(home)
            _spread(old, cells, -1, counts, durations)
            _spread(chains[home], cells, 1, counts, durations)
    for proposal_id, key, at in _records("proposal_id", in_subtree):
        if proposal_id not in moved:
            rebuild()
            return
        old, new = moved[proposal_id]
        cells = [[key, quarter(at).isoformat(), 0, 1, 0]]
        _spread(old, cells, -1, counts, durations)
        _spread(new, cells, 1, counts, durations)
    _apply(counts, durations)
    for home in sorted(homes):
        RollupShare.objects.filter(proposal__home_unit_id=home).update(chain=chains[home])


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


def _records(whose: str, filters=None):
    """(`whose` — the proposal's id or its home unit's —, key, created_at) of every row counted
    once, when created (of the proposals the filters select)."""
    sources = (
        (Evaluation, "outcome", "outcome:"),
        (ResponsibilityDecision, "decision", "protection:"),
        (Recognition, "kind", "recognition:"),
        (AbuseReferral, None, "referred"),
        (Institutionalization, None, "institutionalized"),
    )
    for model, field, key in sources:
        fields = [whose, "created_at"] + ([field] if field else [])
        rows = model.objects.filter(**(filters or {}))
        if model is ResponsibilityDecision:
            rows = rows.filter(superseded_by__isnull=True)  # an author's current decision
        rows = rows.values_list(*fields).order_by()
        for row in rows.iterator(chunk_size=5000):
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
    for home, key, at in _records("proposal__home_unit_id"):
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


# The recount on PostgreSQL, one statement (parameters: `_rebuild_params`), with the semantics of
# `_chains`, `proposal_cells` and `_spread`:
# - `chain`: every unit's chain, found by the prefixes of its materialised path: each ancestor
#   (the unit itself included) with its level and its child toward the unit (the levels are
#   drawn from a constant series so that the planner sees how few rows this is);
# - `proposal_cells`: each counted proposal's cells as the JSON array Python writes, sorted as
#   Python sorts it: a proposal has each key once, and the possible keys in code-point order are
#   adoption, approved, decided, due, late, lesson, on_time, state:…, submitted, so the array is
#   those that apply in that order (no sorting, no aggregate);
# - `shares`: those arrays, with the home unit's chain;
# - `cell`: the shares' cells as rows, then one per record row (records have no share);
# - `counters`: the cells summed per home unit, then spread over its chain; a decision figure's
#   `via` is the child toward the home unit where the decider sits strictly below on the chain,
#   else the decider (0 if none).
# Quarters and the on-time date are local (TIME_ZONE); durations are microseconds. The keys
# are grouped and sorted byte by byte (COLLATE "C": ASCII, the same order, much cheaper).
_REBUILD_SQL = """
WITH chain AS MATERIALIZED (
    SELECT h.id AS home, h.path AS home_path, k AS level, a.id AS unit, c.id AS child
    FROM {unit} h
    JOIN generate_series(1, %(max_depth)s) AS k ON k <= h.depth
    JOIN {unit} a ON a.path = left(h.path, %(steplen)s * k)
    LEFT JOIN {unit} c ON k < h.depth AND c.path = left(h.path, %(steplen)s * (k + 1))
), home_chain AS (
    SELECT home, jsonb_agg(unit ORDER BY level) AS chain FROM chain GROUP BY home
), proposal_cells AS MATERIALIZED (
    SELECT p.id AS proposal, p.home_unit_id AS home, to_jsonb(array_remove(ARRAY[
        CASE WHEN p.origin_id IS NOT NULL
            THEN jsonb_build_array('adoption', x.created, 0, 1, 0) END,
        CASE WHEN x.decided IS NOT NULL AND p.state <> %(rejected)s
            THEN jsonb_build_array('approved', x.decided, x.by, 1, 0) END,
        CASE WHEN x.decided IS NOT NULL
            THEN jsonb_build_array('decided', x.decided, x.by, 1,
                ((EXTRACT(EPOCH FROM p.decided_at) - EXTRACT(EPOCH FROM p.submitted_at))
                 * 1000000)::bigint) END,
        CASE WHEN p.state = ANY(%(decision_states)s) AND p.decision_due IS NOT NULL
            THEN jsonb_build_array('due', to_char(p.decision_due, 'YYYY-MM-DD'), 0, 1, 0) END,
        CASE WHEN x.decided IS NOT NULL AND NOT x.on_time
            THEN jsonb_build_array('late', x.decided, x.by, 1, 0) END,
        CASE WHEN p.published_at IS NOT NULL
                  AND EXISTS (SELECT 1 FROM {lesson} l WHERE l.proposal_id = p.id)
            THEN jsonb_build_array('lesson', x.created, 0, 1, 0) END,
        CASE WHEN x.decided IS NOT NULL AND x.on_time
            THEN jsonb_build_array('on_time', x.decided, x.by, 1, 0) END,
        jsonb_build_array(%(state)s || p.state, x.created, 0, 1, 0),
        CASE WHEN p.submitted_at IS NOT NULL
            THEN jsonb_build_array('submitted', x.submitted, 0, 1, 0) END
    ], NULL)) AS cells
    FROM {proposal} p
    CROSS JOIN LATERAL (SELECT
        to_char(date_trunc('quarter', p.created_at AT TIME ZONE %(tz)s), 'YYYY-MM-DD')
            AS created,
        to_char(date_trunc('quarter', p.submitted_at AT TIME ZONE %(tz)s), 'YYYY-MM-DD')
            AS submitted,
        -- Adoptions were decided by a directive, not on a submission: not counted.
        CASE WHEN p.submitted_at IS NOT NULL THEN
            to_char(date_trunc('quarter', p.decided_at AT TIME ZONE %(tz)s), 'YYYY-MM-DD')
        END AS decided,
        (p.decided_at AT TIME ZONE %(tz)s)::date <= p.decided_due AS on_time,
        COALESCE(p.deciding_unit_id, 0) AS by
    ) x
    WHERE p.version > 0
), shares AS (
    INSERT INTO {share} (proposal_id, chain, cells)
    SELECT pc.proposal, hc.chain, pc.cells
    FROM proposal_cells pc JOIN home_chain hc ON hc.home = pc.home
    RETURNING 1
), cell AS (
    SELECT pc.home, (e ->> 0) COLLATE "C" AS key, (e ->> 1)::date AS period,
           (e ->> 2)::bigint AS by,
           (e ->> 4)::bigint AS duration
    FROM proposal_cells pc CROSS JOIN LATERAL jsonb_array_elements(pc.cells) AS e
    UNION ALL
    SELECT p.home_unit_id, r.key COLLATE "C",
           date_trunc('quarter', r.at AT TIME ZONE %(tz)s)::date, 0, 0
    FROM (
        SELECT proposal_id, 'outcome:' || outcome AS key, created_at AS at FROM {evaluation}
        UNION ALL
        SELECT proposal_id, 'protection:' || decision, created_at FROM {responsibility} rd
        WHERE NOT EXISTS (SELECT 1 FROM {responsibility} later WHERE later.supersedes_id = rd.id)
        UNION ALL
        SELECT proposal_id, 'recognition:' || kind, created_at FROM {recognition}
        UNION ALL
        SELECT proposal_id, 'referred', created_at FROM {referral}
        UNION ALL
        SELECT proposal_id, 'institutionalized', created_at FROM {institutionalization}
    ) r
    JOIN {proposal} p ON p.id = r.proposal_id
), per_home AS (
    SELECT home, key, period, by, count(*) AS n, sum(duration) AS duration
    FROM cell GROUP BY home, key, period, by
), counters AS (
    INSERT INTO {rollup} (unit_id, period, key, via, n, duration)
    SELECT ch.unit, ph.period, ph.key,
           CASE WHEN ph.key = ANY(%(decision_keys)s) AND d.path IS NOT NULL
                     AND left(ch.home_path, length(d.path)) = d.path
                     AND length(d.path) > %(steplen)s * ch.level
                THEN ch.child ELSE ph.by END,
           sum(ph.n), sum(ph.duration)
    FROM per_home ph
    JOIN chain ch ON ch.home = ph.home
    LEFT JOIN {unit} d ON ph.by <> 0 AND d.id = ph.by
    GROUP BY 1, 2, 3, 4
    HAVING sum(ph.n) <> 0 OR sum(ph.duration) <> 0
    ORDER BY 1, 2, 3, 4
    RETURNING 1
)
SELECT (SELECT count(*) FROM counters), (SELECT count(*) FROM shares)
"""


def _rebuild_sql() -> str:
    """`_REBUILD_SQL` with the tables' names (the only things formatted in)."""
    models = {
        "unit": Unit,
        "proposal": Proposal,
        "lesson": Lesson,
        "evaluation": Evaluation,
        "responsibility": ResponsibilityDecision,
        "recognition": Recognition,
        "referral": AbuseReferral,
        "institutionalization": Institutionalization,
        "share": RollupShare,
        "rollup": Rollup,
    }
    return _REBUILD_SQL.format(
        **{name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}
    )


def _rebuild_params() -> dict:
    return {
        "tz": settings.TIME_ZONE,
        "steplen": Unit.steplen,
        "max_depth": Unit._meta.get_field("path").max_length // Unit.steplen,
        "state": STATE_PREFIX,
        "rejected": State.REJECTED.value,
        "decision_states": [str(state) for state in DECISION_STATES],
        "decision_keys": list(DECISION_KEYS),
    }


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Recomputes every roll-up and every proposal's share from the rows. Returns (roll-up rows,
    shares). On PostgreSQL one INSERT … SELECT … GROUP BY statement does it in the database
    (`_REBUILD_SQL`), with both tables locked meanwhile so no change slips between; elsewhere
    (SQLite has no time zones to take the local quarter and date with) Python counts
    (`_compute`, which `expected` shares, so the tests compare the two)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            rollup, share = Rollup._meta.db_table, RollupShare._meta.db_table
            # The planner cannot see how few ancestors a unit has and overestimates the
            # statement a thousandfold: compiling it (JIT) would take seconds. Its sorts and
            # aggregates fit in memory with a little more than the default.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Emptied at once (in the transaction: a failure leaves them as they were), which
            # locks them until the end: no change slips between, and the dashboards wait for
            # the new figures rather than read the old ones (DELETE would keep them readable,
            # at twice the time: every new row's unique check meets the deleted one).
            # TRUNCATE refuses a table with foreign-key checks still deferred (rows written
            # earlier in the transaction): those are made now.
            connection.check_constraints()
            cursor.execute(f"TRUNCATE {rollup}, {share}")
            cursor.execute(_rebuild_sql(), _rebuild_params())
            counters, shares = cursor.fetchone()
        return counters, shares
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
