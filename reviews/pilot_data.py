"""What the pilots app recorded about a proposal's implementation, read for the reviews: the
final KPI values (replication comparison) and the whole pilot record (protection dossier).

Reviews read these tables; they never write them. When the pilots app's tables are missing
(an installation without it) every function answers "nothing recorded"."""

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import connection

_ready: dict[str, bool] = {}


def _model(name):
    try:
        return apps.get_model("pilots", name)
    except LookupError:
        return None


def available() -> bool:
    """The pilots app is installed and its tables exist (checked once per process)."""
    key = connection.alias
    if key not in _ready:
        model = _model("FinalReport")
        _ready[key] = bool(model) and (
            model._meta.db_table in connection.introspection.table_names()
        )
    return _ready[key]


@dataclass(frozen=True)
class KpiResult:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    final: Decimal | None
    lower_is_better: bool

    @property
    def progress(self) -> int | None:
        """How far the final value went from the baseline to the target, in percent."""
        if self.final is None or self.target == self.baseline:
            return None
        return round((self.final - self.baseline) / (self.target - self.baseline) * 100)

    @property
    def met(self) -> bool | None:
        if self.final is None:
            return None
        return self.final <= self.target if self.lower_is_better else self.final >= self.target


def kpi_results(proposal_ids) -> dict[int, dict[str, KpiResult]]:
    """{proposal id: {KPI name: result}} from the final reports; two queries."""
    if not available():
        return {}
    Kpi, KpiValue = _model("Kpi"), _model("KpiValue")
    rows = list(
        Kpi.objects.filter(plan__proposal_id__in=proposal_ids, retired=False)
        .order_by("position", "pk")
        .values("pk", "name", "unit", "baseline", "target", "direction", "plan__proposal_id")
    )
    finals = dict(
        KpiValue.objects.filter(
            final_report__isnull=False, kpi_id__in=[r["pk"] for r in rows]
        ).values_list("kpi_id", "value")
    )
    results: dict[int, dict[str, KpiResult]] = {}
    for row in rows:
        results.setdefault(row["plan__proposal_id"], {})[row["name"]] = KpiResult(
            name=row["name"],
            unit=row["unit"],
            baseline=row["baseline"],
            target=row["target"],
            final=finals.get(row["pk"]),
            lower_is_better=row["direction"] == "lower",
        )
    return results


@dataclass
class PilotRecord:
    plan: object
    versions: list
    milestones: list
    kpis: list  # KpiResult
    reports: list  # progress reports with `.values` prefetched
    inspections: list
    adjustments: list
    final_report: object


def pilot_record(proposal) -> PilotRecord | None:
    """Everything the pilots app holds about the proposal, or None."""
    if not available():
        return None
    Plan = _model("ImplementationPlan")
    plan = Plan.objects.filter(proposal=proposal).first()
    if plan is None:
        return None
    final_report = _model("FinalReport").objects.filter(plan=plan).first()
    return PilotRecord(
        plan=plan,
        versions=list(plan.versions.select_related("created_by").order_by("number")),
        milestones=list(plan.milestones.all()),
        kpis=list(kpi_results([proposal.pk]).get(proposal.pk, {}).values()),
        reports=list(
            plan.reports.select_related("filed_by")
            .prefetch_related("values__kpi")
            .order_by("period")
        ),
        inspections=list(plan.inspections.select_related("inspector").order_by("date", "pk")),
        adjustments=list(
            plan.adjustments.select_related("requested_by", "decided_by").order_by(
                "requested_at", "pk"
            )
        ),
        final_report=final_report,
    )
