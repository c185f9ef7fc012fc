"""The transitions of the implementation stage, in proposals' registry (lifecycle.md: `start`,
`suspend`, `resume`, `terminate`, `complete`, `submit_final_report`). Imported from
PilotsConfig.ready()."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework import serializers

from kl14.formats import day
from proposals.transitions import TransitionSpec, register

from . import permissions as perms
from . import selectors, services
from .planning import PLAN_PARTS, plan_errors


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason"), max_length=5000)


class KpiValueInput(serializers.Serializer):
    kpi = serializers.IntegerField(label=_("KPI"), help_text=_("The id of a KPI of the plan."))
    value = serializers.DecimalField(label=_("Value"), max_digits=20, decimal_places=4)


class FinalReportInput(serializers.Serializer):
    report = serializers.CharField(
        label=_("Final report"),
        max_length=20000,
        help_text=_("A truthful account of what was done and achieved, and what was not."),
    )
    kpi_values = serializers.ListField(
        label=_("Final KPI values"),
        child=KpiValueInput(),
        allow_empty=False,
        help_text=_("The final value of every KPI of the plan."),
    )


class FinalReportForm(forms.Form):
    """The final report as an HTML form: one field per KPI of the plan when the proposal is
    given, else one line "KPI name: value" per KPI. Its cleaned data are the service's inputs."""

    report = forms.CharField(
        label=_("Final report"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=_("A truthful account of what was done and achieved, and what was not."),
    )

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = perms.plan_of(proposal) if proposal is not None else None
        self.kpis = list(plan.kpis.filter(retired=False)) if plan else []
        if self.kpis:
            for kpi in self.kpis:
                self.fields[f"kpi_{kpi.pk}"] = forms.DecimalField(
                    label=_("Final value: %(kpi)s (%(unit)s)")
                    % {"kpi": kpi.name, "unit": kpi.unit},
                    max_digits=20,
                    decimal_places=4,
                    help_text=_("Baseline %(baseline)s, target %(target)s.")
                    % {
                        "baseline": f"{kpi.baseline.normalize():f}",
                        "target": f"{kpi.target.normalize():f}",
                    },
                )
        else:
            self.fields["kpi_values"] = forms.CharField(
                label=_("Final KPI values"),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("One line per KPI of the plan: “KPI name: value”."),
            )

    def clean(self):
        data = super().clean()
        if self.kpis:
            values = [
                {"kpi": kpi.pk, "value": data.get(f"kpi_{kpi.pk}")}
                for kpi in self.kpis
                if data.get(f"kpi_{kpi.pk}") is not None
            ]
        else:
            values = {}
            for line in (data.get("kpi_values") or "").splitlines():
                if not line.strip():
                    continue
                name, sep, value = line.rpartition(":")
                if not sep or not name.strip():
                    self.add_error("kpi_values", _("Write each line as “KPI name: value”."))
                    break
                values[name.strip()] = value.strip()
        return {"report": data.get("report"), "kpi_values": values}


def _start_missing(proposal) -> list[str]:
    """What the plan still lacks before the start, part by part (the co-signature included)."""
    errors = plan_errors(perms.plan_of(proposal), for_start=True)
    return [
        f"{PLAN_PARTS.get(name, name)}: {message}"
        for name, messages in errors.items()
        for message in messages
    ]


def _open_work(proposal) -> list[str]:
    """What is still open in the work: reports not filed, milestones not done, time left."""
    view = selectors.pilot_view(proposal)
    plan = view.plan
    if plan is None:
        return []
    lines = []
    today = timezone.localdate()
    if plan.end_date and plan.end_date > today:
        lines.append(
            _("The plan runs until %(end)s: %(days)s days are left.")
            % {"end": day(plan.end_date), "days": (plan.end_date - today).days}
        )
    missing = [row for row in view.periods if row.report is None]
    if missing:
        lines.append(
            ngettext(
                "%(missing)d of %(total)d progress reports is not filed (period %(periods)s).",
                "%(missing)d of %(total)d progress reports are not filed (periods %(periods)s).",
                len(missing),
            )
            % {
                "missing": len(missing),
                "total": len(view.periods),
                "periods": ", ".join(str(row.period) for row in missing),
            }
        )
    open_milestones = [m for m in view.milestones if not m.done]
    if open_milestones:
        lines.append(
            _("Milestones not done: %(names)s.")
            % {"names": "; ".join(f"{m.name} ({day(m.due_date)})" for m in open_milestones)}
        )
    return lines


def _complete_preview(proposal) -> list[str]:
    return [
        *_open_work(proposal),
        _(
            "After this the work has ended for good: no more progress reports or adjustments, and "
            "the final report is due within 5 working days. This cannot be undone."
        ),
    ]


def _terminate_preview(proposal) -> list[str]:
    return [
        *_open_work(proposal),
        _(
            "The work ends early for good; the authors submit the final report within 5 working "
            "days. This cannot be undone."
        ),
    ]


def _complete_emphasis(proposal) -> str:
    """Primary once the planned end date is reached; before that a quiet button."""
    plan = perms.plan_of(proposal)
    if plan and plan.end_date and plan.end_date <= timezone.localdate():
        return "primary"
    return "outline-secondary"


register(
    TransitionSpec(
        "start",
        _("Start the implementation"),
        services.pilot_start,
        perms.TRANSITION_ACTORS["start"],
        style="success",
        confirm=_(
            "Start the work on the co-signed plan? From now on the plan changes only through "
            "approved adjustments."
        ),
        prerequisites=_start_missing,
    )
)
register(
    TransitionSpec(
        "suspend",
        _("Suspend"),
        services.pilot_suspend,
        perms.TRANSITION_ACTORS["suspend"],
        ReasonInput,
        style="outline-secondary",
    )
)
register(
    TransitionSpec(
        "resume",
        _("Resume"),
        services.pilot_resume,
        perms.TRANSITION_ACTORS["resume"],
        style="success",
        confirm=_("Resume the work?"),
    )
)
register(
    TransitionSpec(
        "terminate",
        _("Terminate early"),
        services.pilot_terminate,
        perms.TRANSITION_ACTORS["terminate"],
        ReasonInput,
        style="outline-danger",
        irreversible=True,
        preview=_terminate_preview,
    )
)
register(
    TransitionSpec(
        "complete",
        _("Declare the work completed"),
        services.pilot_complete,
        perms.TRANSITION_ACTORS["complete"],
        style="primary",
        irreversible=True,
        preview=_complete_preview,
        emphasis=_complete_emphasis,
    )
)
register(
    TransitionSpec(
        "submit_final_report",
        _("Submit the final report"),
        services.pilot_submit_final_report,
        perms.TRANSITION_ACTORS["submit_final_report"],
        FinalReportInput,
        style="primary",
        form_class=FinalReportForm,
    )
)
