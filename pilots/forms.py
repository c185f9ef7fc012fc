"""HTML forms of the implementation stage. They only shape input: the services validate it again
and their errors are put back on the forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kl14.formats import day
from kl14.forms import ModelChoicesField

from .models import Assessment, Cadence, Direction
from .planning import decimal_text, eligible_monitors

DATE = {"type": "date"}


def date_field(label, **kwargs):
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), **kwargs
    )


def text_field(label, *, required=True, rows=3, max_length=5000, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class ResourcesMixin(forms.Form):
    budget_amount = forms.IntegerField(
        label=_("Budget (VND)"),
        min_value=0,
        required=False,
        help_text=_("In đồng, e.g. 500000000."),
    )
    budget_details = text_field(_("Budget details"), required=False)
    people = text_field(_("People"), required=False, help_text=_("Who works on it, and how much."))
    equipment = text_field(_("Equipment and facilities"), required=False)


class PlanForm(ResourcesMixin):
    start_date = date_field(_("Start date"), required=False)
    end_date = date_field(_("End date"), required=False)
    reporting_cadence = forms.ChoiceField(
        label=_("Progress reports"), choices=Cadence.choices, initial=Cadence.MONTHLY
    )
    monitors = ModelChoicesField(
        label=_("Monitors"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Inspectors of the home unit or of a unit above it, who monitor the work."),
    )
    risk_declaration = text_field(
        _("Risk declaration"),
        required=False,
        rows=5,
        max_length=20000,
        help_text=_(
            "The risks of the work and how they are contained. The head who approved the proposal "
            "co-signs it before the start."
        ),
    )

    field_order = [
        "start_date",
        "end_date",
        "reporting_cadence",
        "budget_amount",
        "budget_details",
        "people",
        "equipment",
        "monitors",
        "risk_declaration",
    ]

    def __init__(self, *args, home_unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["monitors"].queryset = eligible_monitors(home_unit)
        self.fields["monitors"].label_from_instance = lambda user: user.get_full_name()


class MilestoneForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Milestone"), max_length=300)
    due_date = date_field(_("Due date"))


class KpiForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("KPI"), max_length=200)
    unit = forms.CharField(label=_("Unit of measure"), max_length=50)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=20, decimal_places=4)
    target = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=4)
    direction = forms.ChoiceField(
        label=_("Better when"), choices=Direction.choices, initial=Direction.HIGHER
    )

    def has_changed(self):
        # An empty extra row still posts its direction: it is empty when nothing else is filled.
        return any(name != "direction" for name in self.changed_data)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2, can_delete=True, max_num=50)
KpiFormSet = forms.formset_factory(KpiForm, extra=2, can_delete=True, max_num=50)


def rows(formset) -> list[dict]:
    """The filled rows of a valid formset, without the deleted ones."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def kpi_initial(kpis) -> list[dict]:
    return [
        {
            "id": k.pk,
            "name": k.name,
            "unit": k.unit,
            "baseline": decimal_text(k.baseline),
            "target": decimal_text(k.target),
            "direction": k.direction,
        }
        for k in kpis
    ]


def milestone_initial(milestones) -> list[dict]:
    return [{"id": m.pk, "name": m.name, "due_date": m.due_date} for m in milestones]


class AdjustmentForm(ResourcesMixin):
    start_date = date_field(_("Start date"))
    end_date = date_field(_("End date"))
    reasons = text_field(
        _("Reasons for the adjustment"), rows=4, help_text=_("Why the plan should change.")
    )

    field_order = [
        "reasons",
        "start_date",
        "end_date",
        "budget_amount",
        "budget_details",
        "people",
        "equipment",
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Period"), coerce=int)
    narrative = text_field(
        _("What was done in this period"),
        rows=5,
        max_length=20000,
        help_text=_("Progress, problems met and what comes next."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, office documents or images, up to 20 MB each."),
    )

    def __init__(self, *args, periods, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (
                p.period,
                _("Period %(n)d: %(start)s – %(end)s (due %(due)s)")
                % {
                    "n": p.period,
                    "start": day(p.start),
                    "end": day(p.end),
                    "due": day(p.due),
                },
            )
            for p in periods
        ]
        self.kpis = list(kpis)
        for kpi in self.kpis:
            self.fields[f"kpi_{kpi.pk}"] = forms.DecimalField(
                label=_("%(kpi)s (%(unit)s)") % {"kpi": kpi.name, "unit": kpi.unit},
                max_digits=20,
                decimal_places=4,
                required=False,
                help_text=_("Baseline %(baseline)s, target %(target)s.")
                % {"baseline": decimal_text(kpi.baseline), "target": decimal_text(kpi.target)},
            )
        self.order_fields(["period", "narrative", *[f"kpi_{k.pk}" for k in self.kpis]])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "period": data["period"],
            "narrative": data["narrative"],
            "attachments": data["attachments"],
            "kpi_values": [
                {"kpi": kpi.pk, "value": data[f"kpi_{kpi.pk}"]}
                for kpi in self.kpis
                if data.get(f"kpi_{kpi.pk}") is not None
            ],
        }


class InspectionForm(forms.Form):
    date = date_field(_("Date of the inspection"))
    findings = text_field(_("Findings"), rows=4, max_length=20000)
    recommendations = text_field(_("Recommendations"), required=False, rows=3, max_length=20000)
    assessment = forms.ChoiceField(
        label=_("Assessment"), choices=Assessment.choices, widget=forms.RadioSelect
    )


class DecisionForm(forms.Form):
    reasons = text_field(_("Reasons"), required=False, rows=2)


class RejectForm(forms.Form):
    reasons = text_field(_("Reasons for rejecting"), rows=2)
