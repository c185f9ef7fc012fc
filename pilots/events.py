"""Labels of the ledger events of the implementation stage, and how their payloads read
(ledger/events.py). Imported from PilotsConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kl14 import formats
from ledger.events import (
    Choice,
    Custom,
    Day,
    EventSpec,
    Hidden,
    Text,
    UserRef,
    YesNo,
    decimal_text,
    register,
)

from .models import Assessment, Direction

VERSION_REASONS = {
    "prepared": gettext_lazy("Prepared"),
    "revised": gettext_lazy("Revised"),
    "adjustment": gettext_lazy("Adjustment"),
}


def kpi_values_text(values, names=None) -> str:
    """One line per KPI: "name: value unit"."""
    if not isinstance(values, list) or not values:
        return "—"
    return "\n".join(
        f"{v.get('name', '')}: {decimal_text(v.get('value', ''))} {v.get('unit', '')}".strip()
        for v in values
        if isinstance(v, dict)
    )


def attachments_text(files, names=None) -> str:
    if not isinstance(files, list) or not files:
        return _("No attached file")
    return "\n".join(str(f.get("name", "")) for f in files if isinstance(f, dict))


def _milestones(value) -> str:
    return "\n".join(
        f"{m.get('name', '')} — {formats.day(m.get('due_date')) if m.get('due_date') else ''}"
        for m in value or []
        if isinstance(m, dict)
    )


def _kpis(value) -> str:
    lines = []
    for k in value or []:
        if not isinstance(k, dict):
            continue
        direction = ""
        if k.get("direction"):
            try:
                direction = str(Direction(k["direction"]).label)
            except ValueError:
                direction = ""
        lines.append(
            _("%(name)s (%(unit)s): from %(baseline)s to %(target)s")
            % {
                "name": k.get("name", ""),
                "unit": k.get("unit", ""),
                "baseline": decimal_text(k.get("baseline", "")),
                "target": decimal_text(k.get("target", "")),
            }
            + (f" — {direction}" if direction else "")
        )
    return "\n".join(lines)


CHANGE_LABELS = {
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "milestones": gettext_lazy("Milestones"),
    "kpis": gettext_lazy("KPIs"),
    "budget_amount": gettext_lazy("Budget (VND)"),
    "budget_details": gettext_lazy("Budget details"),
    "people": gettext_lazy("People"),
    "equipment": gettext_lazy("Equipment and facilities"),
}


def changes_text(changes, names=None) -> str:
    """The changes an adjustment asks for, one part of the plan per line, in words."""
    if not isinstance(changes, dict) or not changes:
        return "—"
    lines = []
    for key, value in changes.items():
        label = str(CHANGE_LABELS.get(key, _("Other part of the plan")))
        if key in ("start_date", "end_date"):
            text = formats.day(value) if value else "—"
        elif key == "budget_amount":
            text = formats.money(value) if value not in (None, "") else "—"
        elif key == "milestones":
            text = _milestones(value)
        elif key == "kpis":
            text = _kpis(value)
        else:
            text = str(value) if value not in (None, "") else "—"
        lines.append(f"{label}: {text}")
    return "\n".join(lines)


PLAN = {
    "plan_version": Text(gettext_lazy("Plan version")),
    # The plan's fingerprint: on the pilot page's table of plan versions.
    "plan_hash": Hidden(),
}

register(
    EventSpec(
        "plan_version",
        gettext_lazy("New version of the implementation plan"),
        {**PLAN, "reason": Choice(gettext_lazy("Why"), choices=VERSION_REASONS)},
    )
)
register(
    EventSpec(
        "plan_cosign",
        gettext_lazy("Risk declaration co-signed"),
        {**PLAN, "risk_declaration": Text(gettext_lazy("Risk declaration"))},
    )
)
register(
    EventSpec(
        "start",
        gettext_lazy("Implementation started"),
        {
            **PLAN,
            "start_date": Day(gettext_lazy("Start date")),
            "end_date": Day(gettext_lazy("End date")),
            "cosigned_by": UserRef(gettext_lazy("Risk declaration co-signed by")),
        },
    )
)
register(
    EventSpec(
        "suspend", gettext_lazy("Suspended"), {"reason": Text(gettext_lazy("Reason")), **PLAN}
    )
)
register(EventSpec("resume", gettext_lazy("Resumed"), {**PLAN}))
FINAL_REPORT_DUE = Day(gettext_lazy("Final report due"))
register(
    EventSpec(
        "terminate",
        gettext_lazy("Terminated early"),
        {"reason": Text(gettext_lazy("Reason")), **PLAN, "final_report_due": FINAL_REPORT_DUE},
    )
)
register(
    EventSpec(
        "complete",
        gettext_lazy("Work declared completed"),
        {**PLAN, "final_report_due": FINAL_REPORT_DUE},
    )
)
KPI_VALUES = Custom(gettext_lazy("KPI values"), fn=kpi_values_text)
register(
    EventSpec(
        "submit_final_report",
        gettext_lazy("Final report submitted"),
        {
            "report": Text(gettext_lazy("Final report")),
            "kpi_values": Custom(gettext_lazy("Final KPI values"), fn=kpi_values_text),
            "due": Day(gettext_lazy("Report due")),
            "late": YesNo(gettext_lazy("Filed late")),
            **PLAN,
        },
    )
)
register(
    EventSpec(
        "progress_report",
        gettext_lazy("Progress report filed"),
        {
            "period": Text(gettext_lazy("Period")),
            "period_start": Day(gettext_lazy("Period start")),
            "period_end": Day(gettext_lazy("Period end")),
            "due": Day(gettext_lazy("Report due")),
            "late": YesNo(gettext_lazy("Filed late")),
            "narrative": Text(gettext_lazy("What was done")),
            "kpi_values": KPI_VALUES,
            "attachments": Custom(gettext_lazy("Attached files"), fn=attachments_text),
            **PLAN,
        },
    )
)
MILESTONE = {
    "milestone": Text(gettext_lazy("Milestone")),
    "due_date": Day(gettext_lazy("Milestone due")),
    "milestone_id": Hidden(),
    "done_at": Hidden(),
}
register(EventSpec("milestone_done", gettext_lazy("Milestone done"), MILESTONE))
register(EventSpec("milestone_reopened", gettext_lazy("Milestone marked as not done"), MILESTONE))
register(
    EventSpec(
        "inspection",
        gettext_lazy("Inspection recorded"),
        {
            "date": Day(gettext_lazy("Date of the inspection")),
            "assessment": Choice(gettext_lazy("Assessment"), choices=Assessment),
            "findings": Text(gettext_lazy("Findings")),
            "recommendations": Text(gettext_lazy("Recommendations")),
        },
    )
)
ADJUSTMENT = {
    # The adjustment's row id: the pilot page lists adjustments with their decisions.
    "adjustment": Hidden(),
    "reasons": Text(gettext_lazy("Reasons")),
    "changes": Custom(gettext_lazy("Changes to the plan"), fn=changes_text),
}
register(
    EventSpec(
        "adjustment_request",
        gettext_lazy("Adjustment of the plan requested"),
        {**ADJUSTMENT, **PLAN},
    )
)
register(
    EventSpec(
        "adjustment_approve",
        gettext_lazy("Adjustment of the plan approved"),
        {**ADJUSTMENT, **PLAN},
    )
)
register(
    EventSpec(
        "adjustment_reject",
        gettext_lazy("Adjustment of the plan rejected"),
        {"adjustment": Hidden(), "reasons": Text(gettext_lazy("Reasons"))},
    )
)
