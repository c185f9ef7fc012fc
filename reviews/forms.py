from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Unit

from .models import Outcome, RecognitionKind
from .selectors import replication_targets
from .stats import QUARTER, YEAR, Period


class RecognitionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Recognition"), choices=RecognitionKind.choices)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Authors recognised"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to recognise all the authors."),
    )
    note = forms.CharField(
        label=_("Grounds and decision reference"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["recipients"].queryset = User.objects.filter(
            authorships__proposal=proposal
        ).order_by("full_name", "username")
        self.fields["recipients"].label_from_instance = lambda user: user.get_full_name()


class LessonForm(forms.Form):
    lessons = forms.CharField(
        label=_("Lessons learned"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What other units should know: what worked, what did not and why. Published with the "
            "outcome, the causes and the responsibility decision to every signed-in user."
        ),
    )


class ReplicationForm(forms.Form):
    target_units = forms.ModelMultipleChoiceField(
        label=_("Units that adopt the model"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Each unit gets its own proposal, approved for implementation by this directive and "
            "linked to this one; its head starts it with an implementation plan."
        ),
    )

    def __init__(self, *args, user, source, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target_units"]
        field.queryset = replication_targets(user, source)
        field.label_from_instance = lambda unit: unit.name


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=64,
        help_text=_(
            "Printed on the first and the last page of the dossier, e.g. ABCD-EFGH-JKLM-NPQR."
        ),
    )
    file = forms.FileField(
        label=_("Or the dossier itself (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("file"):
            raise forms.ValidationError(_("Enter the verification code or choose the PDF file."))
        return data


class LessonSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *Outcome.choices]
    )
    field = forms.ChoiceField(label=_("Field"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from proposals.models import Field

        self.fields["field"].choices = [("", _("Any field")), *Field.choices]


class PeriodForm(forms.Form):
    """Which subtree and which period the dashboard or the period report covers."""

    ALL = "all"

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole subtree of my organization board"),
    )
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            (ALL, _("All time")),
            (QUARTER, _("Quarter (sơ kết)")),
            (YEAR, _("Year (tổng kết)")),
        ],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
    )

    def __init__(self, *args, units, require_period=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_period = require_period
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: "— " * (u.depth - 1) + u.name

    def clean(self):
        data = super().clean()
        kind = data.get("period") or (None if not self.require_period else QUARTER)
        if kind == self.ALL:
            kind = None
        if self.require_period and kind is None:
            self.add_error("period", _("Choose a quarter or a year."))
            return data
        previous = Period.previous_quarter(timezone.localdate())
        year = data.get("year") or previous.start.year
        if kind == QUARTER:
            quarter = data.get("quarter") or previous.number
            data["the_period"] = Period.quarter(year, quarter)
        elif kind == YEAR:
            data["the_period"] = Period.year(year)
        else:
            data["the_period"] = Period()
        return data
