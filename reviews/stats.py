"""The organization board's figures for a subtree, aggregated in the database: a fixed number of
queries whatever the number of proposals. Used by the dashboard, its API and the period report
(sơ kết each quarter, tổng kết each year)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import DECISION_STATES, Proposal, State
from units.models import Unit

from .models import (
    AbuseReferral,
    Decision,
    Evaluation,
    Institutionalization,
    Outcome,
    Recognition,
    RecognitionKind,
    ResponsibilityDecision,
)

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
    unit: Unit
    indent: int
    states: dict  # state -> count
    total: int


@dataclass
class DecisionRow:
    unit_id: int
    unit_name: str
    decided: int
    approved: int
    on_time: int
    late: int
    average_days: float | None


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    states: list  # [(value, label, n)]
    units: list  # UnitRow
    decisions: list  # DecisionRow per deciding unit
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


def _days(duration) -> float | None:
    return round(duration.total_seconds() / 86400, 1) if duration is not None else None


def dashboard(unit: Unit, period: Period | None = None) -> Dashboard:
    """Eight queries, whatever the size of the subtree."""
    period = period or Period()
    proposals = subtree_proposals(unit).filter(period.until_q("created_at"))
    units = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    per_unit: dict[int, dict[str, int]] = {}
    for unit_id, state, n in (
        proposals.values_list("home_unit_id", "state").annotate(n=Count("pk")).order_by()
    ):
        per_unit.setdefault(unit_id, {})[state] = n
    per_state: dict[str, int] = {}
    for counts in per_unit.values():
        for state, n in counts.items():
            per_state[state] = per_state.get(state, 0) + n
    states = [(s.value, str(s.label), per_state.get(s.value, 0)) for s in State if s != State.DRAFT]

    on_time_q = Q(due_then__isnull=False, decided_on__lte=F("due_then"))
    late_q = Q(due_then__isnull=False, decided_on__gt=F("due_then"))
    decision_rows = [
        DecisionRow(
            unit_id=row["deciding_unit_id"],
            unit_name=row["deciding_unit__name"],
            decided=row["decided"],
            approved=row["approved"],
            on_time=row["on_time"],
            late=row["late"],
            average_days=_days(row["average"]),
        )
        for row in decisions_queryset(unit, period)
        .values("deciding_unit_id", "deciding_unit__name", "deciding_unit__path")
        .annotate(
            decided=Count("pk"),
            approved=Count("pk", filter=~Q(state=State.REJECTED)),
            on_time=Count("pk", filter=on_time_q),
            late=Count("pk", filter=late_q),
            average=Avg("duration"),
        )
        .order_by("deciding_unit__path")
    ]
    totals = subtree_proposals(unit).aggregate(
        overdue=Count(
            "pk",
            filter=Q(state__in=DECISION_STATES, decision_due__lt=timezone.localdate()),
        ),
        adoptions=Count("pk", filter=Q(origin__isnull=False) & period.q("created_at")),
        lessons=Count("pk", filter=Q(published_at__isnull=False, lesson__isnull=False)),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False) & period.q("submitted_at")),
    )
    in_subtree = Q(proposal__home_unit__path__startswith=unit.path)
    outcomes = dict(
        Evaluation.objects.filter(in_subtree, period.q("created_at"))
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    protection = dict(
        ResponsibilityDecision.objects.filter(in_subtree, period.q("created_at"))
        .values_list("decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    recognitions = dict(
        Recognition.objects.filter(in_subtree, period.q("created_at"))
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    referred = AbuseReferral.objects.filter(in_subtree, period.q("created_at")).count()
    institutionalized = Institutionalization.objects.filter(
        in_subtree, period.q("created_at")
    ).count()

    decided = sum(r.decided for r in decision_rows)
    measured = [r for r in decision_rows if r.average_days is not None]
    return Dashboard(
        unit=unit,
        period=period,
        states=states,
        units=[
            UnitRow(
                unit=u,
                indent=u.depth - unit.depth,
                states=per_unit.get(u.pk, {}),
                total=sum(per_unit.get(u.pk, {}).values()),
            )
            for u in units
        ],
        decisions=decision_rows,
        decided=decided,
        approved=sum(r.approved for r in decision_rows),
        on_time=sum(r.on_time for r in decision_rows),
        late=sum(r.late for r in decision_rows),
        average_days=(
            round(sum(r.average_days * r.decided for r in measured) / decided, 1)
            if measured and decided
            else None
        ),
        overdue_now=totals["overdue"],
        outcomes=[(o.value, str(o.label), outcomes.get(o.value, 0)) for o in Outcome],
        protection=[(d.value, str(d.label), protection.get(d.value, 0)) for d in Decision]
        + [("referred", str(State.REFERRED.label), referred)],
        recognitions=[
            (k.value, str(k.label), recognitions.get(k.value, 0)) for k in RecognitionKind
        ],
        adoptions=totals["adoptions"],
        institutionalized=institutionalized,
        lessons=totals["lessons"],
        submitted=totals["submitted"],
        total=sum(per_state.values()),
    )
