"""The review stage's transitions in the proposals registry (proposals/transitions.py): evaluate,
decide_responsibility, refer_abuse, conclude_abuse, institutionalize. `replicate` is not offered:
the organization board proposes a replication and the competent authority's approval fires it
(board_requests.py). The API's
`POST /proposals/{id}/transitions/{name}/` and the buttons on the proposal page fire them."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.models import Opinion
from proposals.selectors import current_opinion, opinion_disagrees
from proposals.transitions import TransitionSpec, form_from_serializer, register

from . import permissions as perms
from . import responsibility, services
from .evaluation import carried_outcome
from .models import AbuseCase, Decision, IssuingLevel, Outcome


class EvaluateInput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        help_text=_(
            "Achieved: the proposal succeeded. Otherwise it goes to the responsibility review."
        ),
    )
    causes_objective = serializers.CharField(label=_("Objective causes"), max_length=5000)
    causes_subjective = serializers.CharField(label=_("Subjective causes"), max_length=5000)
    meeting_date = serializers.DateField(
        label=_("Date of the evaluation meeting"),
        help_text=_("The meeting of the leadership collective that evaluated the results."),
    )
    minutes = serializers.FileField(
        label=_("Minutes of the evaluation meeting"),
        help_text=_("PDF, Word, OpenDocument or image files, at most 20 MB (Decree 73, Art. 18)."),
    )
    override_reason = serializers.CharField(
        label=_("The head's written reasons for the evaluation"),
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_(
            "Needed when the collective's vote has not carried this outcome (the record says that "
            "you bear personal responsibility for it, as at the decision) or when the Party "
            "committee disagreed with the results."
        ),
    )


class DecideResponsibilityInput(serializers.Serializer):
    author = serializers.IntegerField(
        label=_("Author concerned"),
        min_value=1,
        required=False,
        allow_null=True,
        help_text=_(
            "Id of the author this decision concerns: one decision per author, each after the "
            "author had the chance to explain. Left out: the same decision on every author not "
            "yet decided on, each recorded separately."
        ),
    )
    decision = serializers.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        help_text=_(
            "All four criteria met and no damage: liability excluded. All four met with damage: "
            "excluded, exempted or reduced. Any criterion not met: not eligible for protection, "
            "responsibility considered under the applicable rules."
        ),
    )
    followed_approved_plan = serializers.BooleanField(label=_("Followed the approved plan"))
    pure_motive = serializers.BooleanField(label=_("Acted with a pure motive"))
    common_interest = serializers.BooleanField(label=_("For the common interest"))
    no_personal_gain = serializers.BooleanField(label=_("No personal gain"))
    damage = serializers.BooleanField(label=_("Caused damage"))
    damage_amount = serializers.DecimalField(
        label=_("Damage (VND)"),
        max_digits=18,
        decimal_places=0,
        required=False,
        allow_null=True,
        help_text=_("Required when there was damage."),
    )
    reasons = serializers.CharField(label=_("Reasons"), max_length=5000)


class DecideResponsibilityForm(
    form_from_serializer(DecideResponsibilityInput, "decide_responsibility")
):
    """The author field of `decide_responsibility` on the transition page: the authors not yet
    decided on whose explanation is in or whose time to explain is over."""

    author = forms.ModelChoiceField(
        label=_("Author concerned"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=None,
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        ready = responsibility.decidable_authors(proposal)
        field = self.fields["author"]
        field.queryset = get_user_model().objects.filter(pk__in=[u.pk for u in ready])
        field.label_from_instance = lambda u: u.get_full_name() or u.username
        if len(responsibility.undecided_authors(proposal)) > 1:
            field.empty_label = _("Every author not yet decided on (the same decision)")
        elif ready:
            field.initial = ready[0].pk


class ReferAbuseInput(serializers.Serializer):
    grounds = serializers.CharField(
        label=_("Grounds"),
        max_length=5000,
        help_text=_("Which prohibition of Decree 73, Art. 6 the facts point to, and why."),
    )
    evidence = serializers.CharField(
        label=_("Evidence of abuse"),
        max_length=20000,
        help_text=_(
            "Decree 73, Art. 6. An abuse case opens: the authors may explain, then the inspection "
            "of the superior unit records its finding."
        ),
    )


class ConcludeAbuseInput(serializers.Serializer):
    finding = serializers.ChoiceField(
        label=_("Finding"),
        choices=AbuseCase.Finding.choices,
        help_text=_(
            "Founded: protection is revoked. Unfounded: the proposal returns to where it was and "
            "protection stands."
        ),
    )
    conclusion = serializers.CharField(
        label=_("Conclusion"),
        max_length=20000,
        help_text=_("The facts established, the authors' explanations weighed, the reasons."),
    )


def _hearing_open(proposal) -> list[str]:
    case = services.open_abuse_case(proposal)
    waiting = services.abuse_hearing_open(case)
    if not waiting:
        return []
    return [
        _("The authors may explain until %(day)s: %(names)s have not yet explained.")
        % {
            "day": date_format(case.explanation_due, "SHORT_DATE_FORMAT"),
            "names": ", ".join(u.get_full_name() for u in waiting),
        }
    ]


class InstitutionalizeInput(serializers.Serializer):
    title = serializers.CharField(label=_("Regulation proposed"), max_length=500)
    issuing_level = serializers.ChoiceField(label=_("Issuing level"), choices=IssuingLevel.choices)


def _evaluate_preview(proposal) -> list[str]:
    outcome = carried_outcome(proposal)
    if outcome is None:
        lines = [
            _(
                "The collective's vote has not carried any outcome yet: recording the evaluation "
                "anyway needs your written reasons, and you bear personal responsibility for it."
            )
        ]
    else:
        lines = [
            _("The collective's vote carried the outcome “%(outcome)s”.")
            % {"outcome": Outcome(outcome).label}
        ]
    if opinion_disagrees(proposal, Opinion.Stage.EVALUATION):
        lines.append(
            _(
                "The Party committee disagreed with the results: recording the evaluation needs "
                "your written reasons, recorded with it."
            )
        )
    return lines


def _evaluation_opinion_missing(proposal) -> list[str]:
    if current_opinion(proposal, Opinion.Stage.EVALUATION) is not None:
        return []
    unit = proposal.deciding_unit.name if proposal.deciding_unit_id else ""
    return [
        _(
            "The Party committee of %(unit)s has not given its opinion on the results yet: the "
            "evaluation waits for it (Decree 73, Art. 4)."
        )
        % {"unit": unit}
    ]


register(
    TransitionSpec(
        "evaluate",
        _("Evaluate the results"),
        services.proposal_evaluate,
        perms.TRANSITION_ACTORS["evaluate"],
        EvaluateInput,
        prerequisites=_evaluation_opinion_missing,
        preview=_evaluate_preview,
    )
)
register(
    TransitionSpec(
        "decide_responsibility",
        _("Decide on responsibility"),
        services.proposal_decide_responsibility,
        perms.TRANSITION_ACTORS["decide_responsibility"],
        DecideResponsibilityInput,
        form_class=DecideResponsibilityForm,
        prerequisites=responsibility.hearing_waiting,
    )
)
register(
    TransitionSpec(
        "refer_abuse",
        _("Refer for abuse"),
        services.proposal_refer_abuse,
        perms.TRANSITION_ACTORS["refer_abuse"],
        ReferAbuseInput,
        style="outline-danger",
        irreversible=True,
        preview=lambda proposal: [
            _(
                "An abuse case opens: protection is withheld while it is heard, the authors may "
                "explain, and the inspection of the superior unit records its finding."
            )
        ],
    )
)
register(
    TransitionSpec(
        "conclude_abuse",
        _("Record the finding on the abuse case"),
        services.proposal_conclude_abuse,
        perms.TRANSITION_ACTORS["conclude_abuse"],
        ConcludeAbuseInput,
        style="danger",
        irreversible=True,
        prerequisites=_hearing_open,
        preview=lambda proposal: [
            _(
                "Founded: the authors' protection is revoked and every dossier says so. "
                "Unfounded: the proposal returns to the state it came from."
            )
        ],
    )
)
register(
    TransitionSpec(
        "institutionalize",
        _("Propose a regulation (institutionalise)"),
        services.proposal_institutionalize,
        perms.TRANSITION_ACTORS["institutionalize"],
        InstitutionalizeInput,
        style="outline-success",
    )
)
