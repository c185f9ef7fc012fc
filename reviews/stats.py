"""The organization board's figures for a subtree, read from the roll-ups kept per unit and quarter
(rollups.py): a fixed number of queries, and a few thousand rows at the national root, whatever
the number of proposals. Used by the dashboard, its API and the period report (sơ kết each
quarter, tổng kết each year). The unit table shows the unit's own proposals and each child's
whole subtree (drill down to see further); the decisions likewise, by deciding unit at or above
the unit and by child subtree below it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Proposal, State
from units.models import Unit

from . import rollups
from .models import Decision, Outcome, RecognitionKind, Rollup

QUARTER, YEAR = "quarter", "year"


@dataclass(frozen=True)
class Period:
    """A quarter (sơ kết) or a year (tổng kết); `kind` None means all time."""

    kind: str | None = None
    start: date | None = None
    end: date | None = None  # inclusive

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = date(year, 3 * (quarter - 1) + 1, 1)
        following = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return cls(QUARTER, first, following - timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def previous_quarter(cls, today: date) -> "Period":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
        return cls.quarter(first.year, (first.month - 1) // 3 + 1)

    @property
    def number(self) -> int:
        return (self.start.month - 1) // 3 + 1 if self.start else 0

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return _("Yearly review (tổng kết) %(year)s") % {"year": self.start.year}
        if self.kind == QUARTER:
            return _("Quarterly review (sơ kết) Q%(quarter)s/%(year)s") % {
                "quarter": self.number,
                "year": self.start.year,
            }
        return _("All time")

    def bounds(self) -> tuple[datetime, datetime] | None:
        """[start, end + 1 day) as aware datetimes in local time."""
        if self.kind is None:
            return None
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def q(self, name: str) -> Q:
        """`name` (a datetime field) falls in the period."""
        bounds = self.bounds()
        if bounds is None:
            return Q()
        return Q(**{f"{name}__gte": bounds[0], f"{name}__lt": bounds[1]})

    def until_q(self, name: str) -> Q:
        bounds = self.bounds()
        return Q(**{f"{name}__lt": bounds[1]}) if bounds else Q()


@dataclass
class UnitRow:
    """The unit's own proposals (indent 0), or one child's whole subtree (indent 1)."""

    unit: Unit
    indent: int
    states: dict  # state -> count
    total: int
    subtree: bool = False  # the child has units under it, counted with it
    # The counts in the table's columns (Dashboard.columns), 0 for none: the page renders these
    # instead of looking every state up in every row.
    cells: list = field(default_factory=list)


@dataclass
class DecisionRow:
    unit_id: int
    unit_name: str
    decided: int
    approved: int
    on_time: int
    late: int
    average_days: float | None
    # Decided by the units of this child's subtree (a child of the dashboard's unit with units
    # under it); otherwise by the unit itself.
    subtree: bool = False

    @property
    def counts(self) -> tuple:
        """The counts the decision table shows, in its columns' order."""
        return (self.decided, self.approved, self.on_time, self.late)


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    states: list  # [(value, label, n)]
    units: list  # UnitRow: the unit itself, then each child with its subtree
    decisions: list  # DecisionRow per deciding unit (at or above the unit) or child subtree
    decided: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    average_days: float | None = None
    overdue_now: int = 0
    outcomes: list = field(default_factory=list)  # [(value, label, n)]
    protection: list = field(default_factory=list)  # [(value, label, n)] incl. referred
    recognitions: list = field(default_factory=list)  # [(value, label, n)]
    adoptions: int = 0
    institutionalized: int = 0
    lessons: int = 0
    submitted: int = 0  # submissions (last ones) in the period
    total: int = 0

    @property
    def columns(self) -> list:
        """[(value, label)] of the states the unit table shows: those with proposals."""
        return [(value, label) for value, label, n in self.states if n]

    @property
    def approval_rate(self) -> int | None:
        return round(self.approved * 100 / self.decided) if self.decided else None

    @property
    def on_time_rate(self) -> int | None:
        measured = self.on_time + self.late
        return round(self.on_time * 100 / measured) if measured else None

    @property
    def protected(self) -> int:
        return sum(n for value, _label, n in self.protection if value != "held_responsible")

    def chart_data(self) -> dict:
        """What the charts draw (json_script on the page)."""
        return {
            "states": {
                "labels": [label for _v, label, n in self.states if n],
                "values": [n for _v, _label, n in self.states if n],
            },
            "decisions": {
                "labels": [row.unit_name for row in self.decisions],
                "on_time": [row.on_time for row in self.decisions],
                "late": [row.late for row in self.decisions],
                "on_time_label": _("On time"),
                "late_label": _("Late"),
            },
            "outcomes": {
                "labels": [label for _v, label, _n in self.outcomes],
                "values": [n for _v, _label, n in self.outcomes],
            },
            "protection": {
                "labels": [label for _v, label, _n in self.protection],
                "values": [n for _v, _label, n in self.protection],
            },
        }


def subtree_proposals(unit: Unit):
    """The submitted proposals (and adoptions) whose home unit lies in the unit's subtree."""
    return Proposal.objects.filter(home_unit__path__startswith=unit.path, version__gt=0)


def decisions_queryset(unit: Unit, period: Period):
    """The proposals of the subtree decided (approved or rejected) in the period, annotated with
    the due date they had and the day they were decided (adoptions were decided by a directive,
    not on a submission: they are not counted)."""
    return (
        subtree_proposals(unit)
        .filter(decided_at__isnull=False, submitted_at__isnull=False)
        .filter(period.q("decided_at"))
        .annotate(
            due_then=F("decided_due"),
            decided_on=TruncDate("decided_at", tzinfo=timezone.get_default_timezone()),
            duration=ExpressionWrapper(
                F("decided_at") - F("submitted_at"), output_field=DurationField()
            ),
        )
    )


def _average_days(duration: int, decided: int) -> float | None:
    """The average time from submission to decision, in days (`duration` in microseconds)."""
    return round(duration / decided / 86_400_000_000, 1) if decided else None


def dashboard(unit: Unit, period: Period | None = None) -> Dashboard:
    """Three queries on the roll-ups (rollups.py), whatever the size of the subtree: the unit's
    figures, the units they name (its children, its ancestors, who decided), and the children's
    subtree totals by state. The national root reads a few thousand rows."""
    period = period or Period()
    until = Q(period__lte=period.end) if period.end else Q()
    within = Q(period__gte=period.start, period__lte=period.end) if period.start else Q()
    in_period = Q(key__in=rollups.IN_PERIOD_KEYS)
    for prefix in rollups.IN_PERIOD_PREFIXES:
        in_period |= Q(key__startswith=prefix)
    states_q = Q(key__startswith=rollups.STATE_PREFIX) & until
    figures = (
        Rollup.objects.filter(unit=unit)
        .filter(
            states_q
            | (in_period & within)
            | Q(key="lesson")
            | Q(key="due", period__lt=timezone.localdate())
        )
        .values_list("key", "via")
        .annotate(n=Sum("n"), duration=Sum("duration"))
        .order_by()
    )
    totals: dict[str, int] = {}
    by_decider: dict[int, dict[str, int]] = {}
    for key, via, n, duration in figures:
        totals[key] = totals.get(key, 0) + n
        if key in rollups.DECISION_KEYS:
            row = by_decider.setdefault(via, {"duration": 0})
            row[key] = n
            row["duration"] += duration
    named = {
        u.pk: u
        for u in Unit.objects.filter(
            Q(path__startswith=unit.path, depth=unit.depth + 1)
            | Q(path__in=unit.ancestor_paths())
            | Q(pk__in=list(by_decider))
        )
    }
    children = sorted(
        (u for u in named.values() if u.depth == unit.depth + 1 and u.path.startswith(unit.path)),
        key=lambda u: u.path,
    )
    child_ids = {child.pk for child in children}
    per_child: dict[int, dict[str, int]] = {}
    # The children are known from the second query: their rows by state are read by id
    # through the (unit, key) index, not among all their rows after a join with the units.
    for unit_id, key, n in (
        Rollup.objects.filter(states_q, unit_id__in=child_ids)
        .values_list("unit_id", "key")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        state = key.removeprefix(rollups.STATE_PREFIX)
        per_child.setdefault(unit_id, {})[state] = n
    per_state = {
        key.removeprefix(rollups.STATE_PREFIX): n
        for key, n in totals.items()
        if key.startswith(rollups.STATE_PREFIX) and n
    }
    own = dict(per_state)
    for counts in per_child.values():
        for state, n in counts.items():
            own[state] = own.get(state, 0) - n
    own = {state: n for state, n in own.items() if n}
    states = [(s.value, str(s.label), per_state.get(s.value, 0)) for s in State if s != State.DRAFT]
    shown = [value for value, _label, n in states if n]

    def unit_row(row_unit: Unit, indent: int, counts: dict, subtree: bool = False) -> UnitRow:
        return UnitRow(
            unit=row_unit,
            indent=indent,
            states=counts,
            total=sum(counts.values()),
            subtree=subtree,
            cells=[counts.get(value, 0) for value in shown],
        )

    def decision_row(via: int, counts: dict) -> DecisionRow:
        decider = named.get(via)
        subtree = via in child_ids and decider.numchild > 0
        decided = counts.get("decided", 0)
        return DecisionRow(
            unit_id=via,
            unit_name=decider.name if decider else "—",
            decided=decided,
            approved=counts.get("approved", 0),
            on_time=counts.get("on_time", 0),
            late=counts.get("late", 0),
            average_days=_average_days(counts["duration"], decided),
            subtree=subtree,
        )

    decision_rows = sorted(
        (decision_row(via, counts) for via, counts in by_decider.items() if counts.get("decided")),
        key=lambda row: named[row.unit_id].path if row.unit_id in named else "",
    )
    decided = totals.get("decided", 0)
    referred = totals.get("referred", 0)
    return Dashboard(
        unit=unit,
        period=period,
        states=states,
        units=[unit_row(unit, 0, own)]
        + [
            unit_row(child, 1, per_child.get(child.pk, {}), subtree=child.numchild > 0)
            for child in children
        ],
        decisions=decision_rows,
        decided=decided,
        approved=totals.get("approved", 0),
        on_time=totals.get("on_time", 0),
        late=totals.get("late", 0),
        average_days=_average_days(sum(row["duration"] for row in by_decider.values()), decided),
        overdue_now=totals.get("due", 0),
        outcomes=[(o.value, str(o.label), totals.get(f"outcome:{o.value}", 0)) for o in Outcome],
        protection=[
            (d.value, str(d.label), totals.get(f"protection:{d.value}", 0)) for d in Decision
        ]
        + [("referred", str(State.REFERRED.label), referred)],
        recognitions=[
            (k.value, str(k.label), totals.get(f"recognition:{k.value}", 0))
            for k in RecognitionKind
        ],
        adoptions=totals.get("adoption", 0),
        institutionalized=totals.get("institutionalized", 0),
        lessons=totals.get("lesson", 0),
        submitted=totals.get("submitted", 0),
        total=sum(per_state.values()),
    )
