"""The review stage's transitions in the proposals registry (proposals/transitions.py): evaluate,
decide_responsibility, refer_abuse, replicate, institutionalize. The API's
`POST /proposals/{id}/transitions/{name}/` and the buttons on the proposal page fire them."""

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.transitions import TransitionSpec, register
from units.models import Unit

from . import permissions as perms
from . import services
from .models import Decision, IssuingLevel, Outcome
from .selectors import replication_targets


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


class DecideResponsibilityInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        help_text=_(
            "All four criteria met and no damage: liability excluded. All four met with damage: "
            "excluded, exempted or reduced. Any criterion not met: held responsible."
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


class ReferAbuseInput(serializers.Serializer):
    evidence = serializers.CharField(
        label=_("Evidence of abuse"),
        max_length=20000,
        help_text=_(
            "Decree 73, Art. 6. The proposal is referred to the competent authority and its "
            "authors lose the protection of the policy."
        ),
    )


class ReplicateInput(serializers.Serializer):
    target_units = serializers.ListField(
        label=_("Units that adopt the model"),
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=500,
        help_text=_("Ids of units in the subtree of your organization board."),
    )


class ReplicateForm(forms.Form):
    """The HTML form of `replicate` on the generic transition page: only the units the user's
    organization board may choose are offered (the service checks again)."""

    target_units = forms.ModelMultipleChoiceField(
        label=_("Units that adopt the model"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        required=False,
    )

    def __init__(self, *args, proposal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_units"].queryset = replication_targets(user, proposal)


class InstitutionalizeInput(serializers.Serializer):
    title = serializers.CharField(label=_("Regulation proposed"), max_length=500)
    issuing_level = serializers.ChoiceField(label=_("Issuing level"), choices=IssuingLevel.choices)


register(
    TransitionSpec(
        "evaluate",
        _("Evaluate the results"),
        services.proposal_evaluate,
        perms.TRANSITION_ACTORS["evaluate"],
        EvaluateInput,
    )
)
register(
    TransitionSpec(
        "decide_responsibility",
        _("Decide on responsibility"),
        services.proposal_decide_responsibility,
        perms.TRANSITION_ACTORS["decide_responsibility"],
        DecideResponsibilityInput,
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
        confirm=_("Refer this proposal for abuse? Its authors lose the protection of the policy."),
    )
)
register(
    TransitionSpec(
        "replicate",
        _("Replicate in other units"),
        services.proposal_replicate,
        perms.TRANSITION_ACTORS["replicate"],
        ReplicateInput,
        style="success",
        form_class=ReplicateForm,
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
