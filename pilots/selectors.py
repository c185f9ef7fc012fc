"""Reads of the implementation stage. Lists select their relations up front: a fixed number of
queries per page whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from proposals.models import Proposal, State
from proposals.permissions import supervised_q, visible_q
from units.models import Role
from units.roles import user_roles
from units.selectors import paths_q

from .models import (
    MONITOR_PERMISSION,
    Adjustment,
    FinalReport,
    ImplementationPlan,
    Inspection,
    Kpi,
    KpiValue,
    ProgressReport,
)
from .permissions import PILOT_STATES
from .planning import decimal_text, monitor_grants, to_date

# The lists also keep a pilot whose final report is in, until it is evaluated.
LIST_STATES = (*PILOT_STATES, State.EVALUATING)


def _pilot_list(qs) -> QuerySet[Proposal]:
    last_assessment = Inspection.objects.filter(plan__proposal=OuterRef("pk")).order_by(
        "-date", "-pk"
    )
    return (
        qs.select_related("home_unit", "plan")
        .annotate(last_assessment=Subquery(last_assessment.values("assessment")[:1]))
        .order_by("-plan__started_at", "-decided_at", "-pk")
    )


def pilots_monitored_by(user) -> QuerySet[Proposal]:
    """Pilots whose plan grants the user the monitor permission, still inside the subtree where
    the user is an inspector (a grant alone, outside that subtree, shows nothing)."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    plans = get_objects_for_user(
        user,
        f"pilots.{MONITOR_PERMISSION}",
        klass=ImplementationPlan,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )
    subtree = paths_q(user_roles(user).subtree_paths(Role.INSPECTOR), field="home_unit__path")
    return _pilot_list(
        Proposal.objects.filter(visible_q(user), subtree, plan__in=plans.values("pk"))
    )


def pilots_of_units(user) -> QuerySet[Proposal]:
    """Proposals whose implementation the user supervises as head (of their home unit, or of the
    deciding unit when an author heads the home unit), from approval (plan to prepare) to the
    end."""
    units = user_roles(user).unit_ids(Role.HEAD)
    return _pilot_list(
        Proposal.objects.filter(visible_q(user), supervised_q(units), state__in=LIST_STATES)
    )


def pilots_authored_by(user) -> QuerySet[Proposal]:
    return _pilot_list(
        Proposal.objects.filter(
            visible_q(user), authorships__user=user, state__in=LIST_STATES
        ).distinct()
    )


def report_overdue(proposal, plan, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        proposal.state == State.IN_PROGRESS
        and plan is not None
        and plan.next_report_due is not None
        and plan.next_report_due < today
    )


def final_report_overdue(proposal, plan, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        proposal.state == State.ENDED
        and plan is not None
        and plan.final_report_due is not None
        and plan.final_report_due < today
    )


def overdue_q(today=None) -> Q:
    """Proposals whose progress report or final report is overdue."""
    today = today or timezone.localdate()
    return Q(state=State.IN_PROGRESS, plan__next_report_due__lt=today) | Q(
        state=State.ENDED, plan__final_report_due__lt=today
    )


# --- the pilot page ---------------------------------------------------------------------------


@dataclass
class PeriodRow:
    period: int
    start: date
    end: date
    due: date
    report: ProgressReport | None
    overdue: bool
    open: bool  # begun, not yet filed: a report can be filed for it


@dataclass
class PilotView:
    proposal: Proposal
    plan: ImplementationPlan | None
    kpis: list = field(default_factory=list)
    retired_kpis: list = field(default_factory=list)
    milestones: list = field(default_factory=list)
    monitors: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    periods: list = field(default_factory=list)
    inspections: list = field(default_factory=list)
    adjustments: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    final_report: FinalReport | None = None
    report_overdue: bool = False
    final_report_overdue: bool = False

    @property
    def pending_adjustment(self):
        return next((a for a in self.adjustments if a.status == Adjustment.Status.PENDING), None)

    @property
    def open_periods(self):
        return [p for p in self.periods if p.open]


def reports_of(plan) -> list[ProgressReport]:
    return list(
        plan.reports.select_related("filed_by")
        .prefetch_related(
            Prefetch("values", queryset=KpiValue.objects.select_related("kpi")), "attachments"
        )
        .order_by("period")
    )


def final_report_of(plan) -> FinalReport | None:
    return (
        FinalReport.objects.filter(plan=plan)
        .select_related("filed_by")
        .prefetch_related(Prefetch("values", queryset=KpiValue.objects.select_related("kpi")))
        .first()
    )


def pilot_view(proposal, today=None) -> PilotView:
    today = today or timezone.localdate()
    plan = (
        ImplementationPlan.objects.filter(proposal=proposal).select_related("cosigned_by").first()
    )
    view = PilotView(proposal=proposal, plan=plan)
    if plan is None:
        return view
    plan.proposal = proposal
    kpis = list(plan.kpis.all())
    view.kpis = [k for k in kpis if not k.retired]
    view.retired_kpis = [k for k in kpis if k.retired]
    view.milestones = list(plan.milestones.all())
    view.monitors = [g.user for g in monitor_grants(plan).order_by("user__full_name")]
    view.reports = reports_of(plan)
    view.inspections = list(plan.inspections.select_related("inspector"))
    view.adjustments = list(plan.adjustments.select_related("requested_by", "decided_by"))
    view.versions = list(plan.versions.select_related("created_by").order_by("-number"))
    view.final_report = final_report_of(plan)
    view.report_overdue = report_overdue(proposal, plan, today)
    view.final_report_overdue = final_report_overdue(proposal, plan, today)
    by_period = {r.period: r for r in view.reports}
    running = proposal.state == State.IN_PROGRESS
    for row in plan.schedule:
        report = by_period.get(row["period"])
        start, due = to_date(row["start"]), to_date(row["due"])
        view.periods.append(
            PeriodRow(
                period=row["period"],
                start=start,
                end=to_date(row["end"]),
                due=due,
                report=report,
                overdue=running and report is None and due < today,
                open=running and report is None and start <= today,
            )
        )
    return view


def kpi_series(plan, kpis, reports, final_report=None) -> list[dict]:
    """Per KPI, its reported values over time with its baseline and target: the chart's data."""
    series = {
        kpi.pk: {
            "id": kpi.pk,
            "name": kpi.name,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "baseline": float(kpi.baseline),
            "target": float(kpi.target),
            "points": [],
        }
        for kpi in kpis
    }
    for report in reports:
        for value in report.values.all():
            if value.kpi_id in series:
                series[value.kpi_id]["points"].append(
                    {
                        "label": report.period_end.isoformat(),
                        "period": report.period,
                        "value": float(value.value),
                        "text": decimal_text(value.value),
                    }
                )
    if final_report is not None:
        for value in final_report.values.all():
            if value.kpi_id in series:
                series[value.kpi_id]["points"].append(
                    {
                        "label": str(_("Final report")),
                        "period": None,
                        "value": float(value.value),
                        "text": decimal_text(value.value),
                    }
                )
    return list(series.values())


def adjustments_of(plan) -> QuerySet[Adjustment]:
    return plan.adjustments.select_related("requested_by", "decided_by")


def inspections_of(plan) -> QuerySet[Inspection]:
    return plan.inspections.select_related("inspector")


def kpis_of(plan) -> QuerySet[Kpi]:
    return plan.kpis.filter(retired=False)
