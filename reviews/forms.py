from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kl14.forms import ModelChoicesField
from units.models import Unit

from .models import BallotChoice, Outcome, RecognitionKind
from .selectors import replication_targets
from .stats import QUARTER, YEAR, Period


class EvaluationBallotForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your ballot on the outcome"),
        choices=BallotChoice.choices,
        widget=forms.RadioSelect,
        help_text=_("You can change your ballot until the head records the evaluation."),
    )


class ExplanationForm(forms.Form):
    text = forms.CharField(
        label=_("Your explanation"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Explain the facts the referral names; you may explain once, before the deadline."
        ),
    )


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
        help_text=_(
            "Best: upload the file itself. Its signature and its bytes are checked too; a code "
            "alone checks only the record."
        ),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            self.cleaned_data["file_bytes"] = read_pdf_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("file"):
            raise forms.ValidationError(_("Enter the verification code or choose the PDF file."))
        return data


def read_pdf_upload(upload) -> bytes:
    """The bytes of an uploaded PDF to verify; a clear message for anything else."""
    from .dossier import MAX_UPLOAD

    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 20 MB: it is not a dossier."))
    data = upload.read()
    if b"%PDF-" not in data[:1024]:
        raise forms.ValidationError(_("This file is not a PDF."))
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

    def offer_units_around(self, unit) -> None:
        """Offers, instead of every unit of the subtree (50,000 at the national root), the
        chosen unit's ancestors, itself and its children within the board's subtree (one
        query); any unit of the subtree is still accepted, and the tables drill down."""
        field = self.fields["unit"]
        around = field.queryset.filter(
            Q(path__in=unit.ancestor_paths()) | Q(path__startswith=unit.path, depth=unit.depth + 1)
        ).order_by("path")
        field.widget.choices = [("", field.empty_label)] + [
            (u.pk, field.label_from_instance(u)) for u in around
        ]


# --- requests to the competent authority --------------------------------------------------------


class RecognitionRequestForm(forms.Form):
    """The organization board's request for recognition (Decree 73, Art. 10): the form of
    recognition, the authors (none ticked: all of them) and the grounds; the competent authority
    decides."""

    kind = forms.ChoiceField(label=_("Form of recognition"), choices=RecognitionKind.choices)
    recipients = ModelChoicesField(
        label=_("Authors recognised"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty to recognise all the authors."),
    )
    grounds = forms.CharField(
        label=_("Grounds"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why these cadres deserve it: the results achieved and their part in them."),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["recipients"].queryset = User.objects.filter(
            authorships__proposal=proposal
        ).order_by("full_name", "username")
        self.fields["recipients"].label_from_instance = lambda user: user.get_full_name()


class ReplicationRequestForm(forms.Form):
    """The organization board's request to replicate a model in units of its subtree (KL14 2.5);
    only the units it may choose are offered (the service checks again)."""

    target_units = ModelChoicesField(
        label=_("Units that adopt the model"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Once the competent authority approves, each unit gets its own proposal, approved for "
            "implementation by the directive and linked to this one."
        ),
    )
    grounds = forms.CharField(
        label=_("Grounds"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the model suits these units: their conditions and what it should bring."),
    )

    def __init__(self, *args, user, source, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target_units"]
        field.queryset = replication_targets(user, source)
        field.label_from_instance = lambda unit: unit.name


class RequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", pgettext_lazy("a request to the competent authority", "Approve")),
            ("refuse", _("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons or note"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing; recorded with the decision."),
    )


class RequestWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
