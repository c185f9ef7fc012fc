"""The transitions of the implementation stage, in proposals' registry (lifecycle.md: `start`,
`suspend`, `resume`, `terminate`, `complete`, `submit_final_report`). Imported from
PilotsConfig.ready()."""

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.transitions import TransitionSpec, register

from . import permissions as perms
from . import services


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
    )
)
register(
    TransitionSpec(
        "complete",
        _("Declare the work completed"),
        services.pilot_complete,
        perms.TRANSITION_ACTORS["complete"],
        style="primary",
        confirm=_("Declare the work completed? The final report is due within 5 working days."),
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
