"""What the pilot stage declares to the cross-check registry (ledger/records.py): every frozen plan
version still hashes to what its `plan_version` entry recorded, and the plan's own fields as they
stand (dates, cadence, budget and resources, risk declaration) are those of its last version; the
progress reports, the final report, the inspections, the milestones' done marks and the
adjustments say what their entries recorded (who, when, the text, the KPI values, the
attachments' hashes, the decision)."""

from django.utils.translation import pgettext_lazy

from ledger.records import first_of, keyed_mismatch, register, rows_of, stored_sha256

from .models import (
    Adjustment,
    FinalReport,
    ImplementationPlan,
    Inspection,
    Milestone,
    PlanVersion,
    ProgressReport,
)
from .planning import decimal_text, plan_hash, plan_own_fields

# The plan's own fields; milestones and KPIs move on (done, values) between versions.
SCALARS = ("start_date", "end_date", "reporting_cadence", "resources", "risk_declaration")

# What the checks compare, read through ledger.records.rows_of (one proposal, or a chunk at once),
# each by the proposal it belongs to.
PLAN = ImplementationPlan.objects.order_by("pk")
BY_PLAN = "plan__proposal_id"
PLAN_VERSIONS = PlanVersion.objects.order_by("number")
PROGRESS_REPORTS = ProgressReport.objects.prefetch_related("values", "attachments").order_by("pk")
FINAL_REPORT = FinalReport.objects.prefetch_related("values").order_by("pk")
INSPECTIONS = Inspection.objects.order_by("created_at", "pk")
ADJUSTMENTS = Adjustment.objects.order_by("pk")
MILESTONES = Milestone.objects.order_by("pk")


def _scalars(content: dict) -> dict:
    return {key: content.get(key) for key in SCALARS}


def plan_versions_match(proposal, entries):
    recorded = {}
    for entry in entries:
        number = entry.payload.get("plan_version") if isinstance(entry.payload, dict) else None
        if number is not None and entry.payload.get("plan_hash"):
            recorded.setdefault(number, entry)
    plan = first_of(proposal, PLAN)
    if plan is None:
        return min((e.seq for e in recorded.values()), default=None)
    versions = {v.number: v for v in rows_of(proposal, PLAN_VERSIONS, BY_PLAN)}
    bad = []
    for number, entry in recorded.items():
        version = versions.get(number)
        if (
            version is None
            or version.content_hash != entry.payload["plan_hash"]
            or plan_hash(version.content) != version.content_hash
        ):
            bad.append(entry.seq)
    last = entries[-1].seq if entries else 1
    if set(versions) - set(recorded):
        bad.append(last)
    if versions and _scalars(plan_own_fields(plan)) != _scalars(versions[max(versions)].content):
        latest = recorded.get(max(versions))
        bad.append(latest.seq if latest is not None else last)
    return min(bad) if bad else None


def _values(payload_values) -> list:
    return sorted((v.get("kpi"), v.get("value")) for v in payload_values or ())


def _row_values(row) -> list:
    return sorted((v.kpi_id, decimal_text(v.value)) for v in row.values.all())


def _iso(day):
    return day.isoformat() if day is not None else None


def progress_reports_match(proposal, entries):
    """Each period's report is its `progress_report` entry: who filed it, the period and its due
    date, late or not, the narrative, the KPI values and the attachments (name, SHA-256, which
    the stored file still has)."""
    recorded = {}
    for entry in entries:
        if entry.event == "progress_report":
            p = entry.payload
            recorded[p.get("period")] = (
                entry,
                (
                    entry.actor_id,
                    p.get("period_start"),
                    p.get("period_end"),
                    p.get("due"),
                    p.get("late"),
                    p.get("narrative"),
                    _values(p.get("kpi_values")),
                    sorted(
                        (a.get("name"), a.get("sha256"), a.get("sha256"))
                        for a in p.get("attachments") or ()
                    ),
                ),
            )
    rows = {
        row.period: (
            row.filed_by_id,
            _iso(row.period_start),
            _iso(row.period_end),
            _iso(row.due_date),
            row.late,
            row.narrative,
            _row_values(row),
            sorted(
                (a.original_name, a.sha256, stored_sha256(a.file)) for a in row.attachments.all()
            ),
        )
        for row in rows_of(proposal, PROGRESS_REPORTS, BY_PLAN)
    }
    return keyed_mismatch(recorded, rows, entries)


def final_report_matches(proposal, entries):
    """The final report is the last `submit_final_report` entry: who, the text, due, late, the
    final KPI values."""
    recorded = {}
    for entry in entries:
        if entry.event == "submit_final_report":
            p = entry.payload
            recorded["final"] = (
                entry,
                (
                    entry.actor_id,
                    p.get("report"),
                    p.get("due"),
                    p.get("late"),
                    _values(p.get("kpi_values")),
                ),
            )
    row = first_of(proposal, FINAL_REPORT, BY_PLAN)
    rows = {}
    if row is not None:
        rows["final"] = (
            row.filed_by_id,
            row.report,
            _iso(row.due_date),
            row.late,
            _row_values(row),
        )
    return keyed_mismatch(recorded, rows, entries)


def inspections_match(proposal, entries):
    """The inspections, in the order recorded, are the `inspection` entries: the inspector, the
    date, the findings, the recommendations and the assessment."""
    recorded = {
        number: (
            entry,
            (
                entry.actor_id,
                entry.payload.get("date"),
                entry.payload.get("findings"),
                entry.payload.get("recommendations"),
                entry.payload.get("assessment"),
            ),
        )
        for number, entry in enumerate(e for e in entries if e.event == "inspection")
    }
    rows = {
        number: (
            row.inspector_id,
            _iso(row.date),
            row.findings,
            row.recommendations,
            row.assessment,
        )
        for number, row in enumerate(rows_of(proposal, INSPECTIONS, BY_PLAN))
    }
    return keyed_mismatch(recorded, rows, entries)


DECIDED = {
    "adjustment_approve": Adjustment.Status.APPROVED,
    "adjustment_reject": Adjustment.Status.REJECTED,
}


def adjustments_match(proposal, entries):
    """Each adjustment is its `adjustment_request` entry (who, reasons, changes, the plan version
    it was based on) and, once decided, its `adjustment_approve` or `adjustment_reject` entry (the
    decision, who, the reasons, the plan version it produced); a pending one has no decision."""
    recorded = {}
    for entry in entries:
        p = entry.payload
        if entry.event == "adjustment_request":
            recorded[(p.get("adjustment"), "request")] = (
                entry,
                (entry.actor_id, p.get("reasons"), p.get("changes"), p.get("plan_version")),
            )
        elif entry.event in DECIDED:
            approved = entry.event == "adjustment_approve"
            recorded[(p.get("adjustment"), "decision")] = (
                entry,
                (
                    DECIDED[entry.event],
                    entry.actor_id,
                    p.get("reasons"),
                    p.get("plan_version") if approved else None,
                ),
            )
    rows = {}
    for row in rows_of(proposal, ADJUSTMENTS, BY_PLAN):
        rows[(row.pk, "request")] = (
            row.requested_by_id,
            row.reasons,
            row.changes,
            row.based_on_version,
        )
        if row.status != Adjustment.Status.PENDING:
            rows[(row.pk, "decision")] = (
                row.status,
                row.decided_by_id,
                row.decision_reasons,
                row.resulting_version,
            )
    return keyed_mismatch(recorded, rows, entries)


MARKS = ("milestone_done", "milestone_reopened")


def _latest_version_entry(plan, entries, number):
    for entry in entries:
        if isinstance(entry.payload, dict) and entry.payload.get("plan_version") == number:
            return entry
    return None


def milestones_match(proposal, entries):
    """The milestones are those the plan's latest version froze (same ids, names and due dates:
    none added, edited or removed since), and each one's done mark is what its last
    `milestone_done` or `milestone_reopened` entry set, with the moment it was marked done; a
    milestone marked done that no entry recorded is reported at the last entry. Entries written
    before the milestone's id was recorded find it by name and due date."""
    marks = [e for e in entries if e.event in MARKS]
    plan = first_of(proposal, PLAN)
    if plan is None:
        return min((e.seq for e in marks), default=None)
    rows = {m.pk: m for m in rows_of(proposal, MILESTONES, BY_PLAN)}
    last = entries[-1].seq if entries else 1
    bad = []
    versions = rows_of(proposal, PLAN_VERSIONS, BY_PLAN)
    latest = versions[-1] if versions else None
    if latest is not None:
        frozen = latest.content.get("milestones") or []
        if all("id" in m for m in frozen):
            then = {m["id"]: (m.get("name"), m.get("due_date")) for m in frozen}
            now = {pk: (m.name, m.due_date.isoformat()) for pk, m in rows.items()}
            if then != now:
                entry = _latest_version_entry(plan, entries, latest.number)
                bad.append(entry.seq if entry is not None else last)
    by_name = {(m.name, m.due_date.isoformat()): pk for pk, m in rows.items()}
    last_mark, unplaced = {}, False
    for entry in marks:
        p = entry.payload
        pk = p.get("milestone_id")
        if pk is None:
            pk = by_name.get((p.get("milestone"), p.get("due_date")))
            if pk is None:
                unplaced = True  # an older entry of a milestone renamed since
                continue
        last_mark[pk] = entry
    for pk, row in rows.items():
        entry = last_mark.get(pk)
        if entry is None:
            if (row.done or row.done_at) and not unplaced:
                bad.append(last)
            continue
        done = entry.event == "milestone_done"
        when = row.done_at.isoformat() if row.done_at else None
        if row.done != done or (
            ("done_at" in entry.payload or not done) and when != entry.payload.get("done_at")
        ):
            bad.append(entry.seq)
    return min(bad, default=None)


register(
    "plan_versions",
    plan_versions_match,
    label=pgettext_lazy("record kind", "Version of the implementation plan"),
)
register(
    "progress_reports",
    progress_reports_match,
    label=pgettext_lazy("record kind", "Progress report"),
)
register("final_report", final_report_matches, label=pgettext_lazy("record kind", "Final report"))
register("inspections", inspections_match, label=pgettext_lazy("record kind", "Inspection"))
register("milestones", milestones_match, label=pgettext_lazy("record kind", "Milestone"))
register(
    "adjustments", adjustments_match, label=pgettext_lazy("record kind", "Adjustment of the plan")
)
