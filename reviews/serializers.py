"""The JSON shapes of the review stage's API. Serializers check only the form of the input; who may
do what, and when, is the services' business."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from proposals.models import Field, Opinion, Proposal
from proposals.serializers import UserBriefSerializer
from units.api import UnitBriefSerializer

from .models import (
    AbuseReferral,
    Evaluation,
    Institutionalization,
    Outcome,
    Recognition,
    RecognitionKind,
    ResponsibilityDecision,
)


class ProposalBriefSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "code", "title", "state", "state_label"]
        read_only_fields = fields


class OpinionBriefSerializer(serializers.ModelSerializer):
    stance_label = serializers.CharField(source="get_stance_display", read_only=True)

    class Meta:
        model = Opinion
        fields = ["stance", "stance_label", "text", "created_at"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    opinion = OpinionBriefSerializer(read_only=True)
    evaluated_by = UserBriefSerializer(read_only=True)
    on_time = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Evaluation
        fields = [
            "outcome",
            "outcome_label",
            "causes_objective",
            "causes_subjective",
            "meeting_date",
            "opinion",
            "due",
            "on_time",
            "evaluated_by",
            "created_at",
        ]
        read_only_fields = fields


class ResponsibilityDecisionSerializer(serializers.ModelSerializer):
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    decided_by = UserBriefSerializer(read_only=True)
    protected = serializers.BooleanField(read_only=True)

    class Meta:
        model = ResponsibilityDecision
        fields = [
            "decision",
            "decision_label",
            "protected",
            "followed_approved_plan",
            "pure_motive",
            "common_interest",
            "no_personal_gain",
            "damage",
            "damage_amount",
            "reasons",
            "due",
            "decided_by",
            "created_at",
        ]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    referred_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = AbuseReferral
        fields = ["evidence", "from_state", "referred_by", "created_at"]
        read_only_fields = fields


class InstitutionalizationSerializer(serializers.ModelSerializer):
    issuing_level_label = serializers.CharField(source="get_issuing_level_display", read_only=True)
    board_unit = UnitBriefSerializer(read_only=True)
    proposed_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Institutionalization
        fields = [
            "title",
            "issuing_level",
            "issuing_level_label",
            "board_unit",
            "proposed_by",
            "created_at",
        ]
        read_only_fields = fields


class LessonRecordSerializer(serializers.Serializer):
    lessons = serializers.CharField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = UserBriefSerializer()


class ReviewSerializer(serializers.Serializer):
    """What the review stage recorded for one proposal (selectors.ReviewRecord)."""

    proposal = ProposalBriefSerializer()
    due = serializers.DateField(
        allow_null=True,
        help_text="While evaluating or in the responsibility review: when the next step is due.",
    )
    protected = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the responsibility decision protects the authors; null while undecided.",
    )
    evaluation = EvaluationSerializer(allow_null=True)
    responsibility_decision = ResponsibilityDecisionSerializer(
        source="responsibility", allow_null=True
    )
    referral = ReferralSerializer(allow_null=True)
    institutionalization = InstitutionalizationSerializer(allow_null=True)
    lesson = serializers.SerializerMethodField()
    origin = ProposalBriefSerializer(source="proposal.origin", allow_null=True)

    @extend_schema_field(LessonRecordSerializer(allow_null=True))
    def get_lesson(self, record):
        if record.lesson is None:
            return None
        return LessonRecordSerializer(
            {
                "lessons": record.lesson.lessons,
                "published": record.proposal.published_at is not None,
                "published_at": record.proposal.published_at,
                "published_by": record.lesson.published_by,
            }
        ).data


class RecognitionSerializer(serializers.ModelSerializer):
    proposal = ProposalBriefSerializer(read_only=True)
    recipient = UserBriefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    granted_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Recognition
        fields = [
            "id",
            "proposal",
            "recipient",
            "kind",
            "kind_label",
            "note",
            "unit",
            "granted_by",
            "created_at",
        ]
        read_only_fields = fields


class RecognitionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecognitionKind.choices)
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text="Ids of the authors recognised; empty or absent: all the authors.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="Grounds, decision number."
    )


class LessonPublishSerializer(serializers.Serializer):
    lessons = serializers.CharField(max_length=20000, help_text="The lessons learned.")


class KpiResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=20, decimal_places=4)
    target = serializers.DecimalField(max_digits=20, decimal_places=4)
    final = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    progress = serializers.IntegerField(
        allow_null=True, help_text="Percent of the way from baseline to target."
    )
    met = serializers.BooleanField(allow_null=True)


class AdoptionRowSerializer(serializers.Serializer):
    proposal = ProposalBriefSerializer()
    unit = UnitBriefSerializer()
    is_source = serializers.BooleanField()
    outcome = serializers.CharField(help_text="The evaluated outcome, or empty.")
    kpis = serializers.SerializerMethodField()

    @extend_schema_field(KpiResultSerializer(many=True))
    def get_kpis(self, row):
        return KpiResultSerializer(list(row.kpis.values()), many=True).data


class ComparisonSerializer(serializers.Serializer):
    kpi_names = serializers.ListField(child=serializers.CharField())
    has_kpis = serializers.BooleanField()
    rows = AdoptionRowSerializer(many=True, help_text="The source first, then its adoptions.")


class LessonSerializer(serializers.ModelSerializer):
    """A proposal in the lessons library."""

    home_unit = UnitBriefSerializer(read_only=True)
    field_label = serializers.CharField(source="get_field_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    lessons = serializers.CharField(source="lesson.lessons", read_only=True)
    evaluation = serializers.SerializerMethodField()
    responsibility_decision = serializers.SerializerMethodField()
    referred = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "code",
            "title",
            "summary",
            "bottleneck",
            "field",
            "field_label",
            "home_unit",
            "state",
            "state_label",
            "published_at",
            "lessons",
            "evaluation",
            "responsibility_decision",
            "referred",
        ]
        read_only_fields = fields

    @staticmethod
    def _related(proposal, name):
        try:
            return getattr(proposal, name)
        except Proposal._meta.get_field(name).related_model.DoesNotExist:
            return None

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, proposal):
        evaluation = self._related(proposal, "evaluation")
        if evaluation is None:
            return None
        return {
            "outcome": evaluation.outcome,
            "outcome_label": evaluation.get_outcome_display(),
            "causes_objective": evaluation.causes_objective,
            "causes_subjective": evaluation.causes_subjective,
            "meeting_date": evaluation.meeting_date,
        }

    @extend_schema_field(ResponsibilityDecisionSerializer(allow_null=True))
    def get_responsibility_decision(self, proposal):
        decision = self._related(proposal, "responsibility_decision")
        if decision is None:
            return None
        return {
            "decision": decision.decision,
            "decision_label": decision.get_decision_display(),
            "protected": decision.protected,
            "damage": decision.damage,
            "damage_amount": str(decision.damage_amount) if decision.damage_amount else None,
            "reasons": decision.reasons,
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_referred(self, proposal) -> bool:
        return self._related(proposal, "abuse_referral") is not None


class LessonFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words that must all occur, ignoring case and diacritics.",
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)
    field = serializers.ChoiceField(choices=Field.choices, required=False, allow_blank=True)


class VerifyInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="The verification code."
    )
    file = serializers.FileField(
        required=False, help_text="Or the dossier PDF itself (multipart); the code is read from it."
    )


class VerificationProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["valid", "extended", "broken"],
        help_text=(
            "valid: the ledger still ends at the head the dossier printed; extended: that part is "
            "intact and events were added since; broken: the ledger was altered."
        ),
    )
    message = serializers.CharField()
    code = serializers.CharField()
    proposal = VerificationProposalSerializer()
    issued_at = serializers.DateTimeField()
    chain_head_at_issue = serializers.CharField()
    entries_at_issue = serializers.IntegerField()
    chain_head_now = serializers.CharField()
    entries_now = serializers.IntegerField()
    first_bad_seq = serializers.IntegerField(allow_null=True)


class PeriodQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        required=False, help_text="A unit of your organization boards' subtrees (default: the top)."
    )
    period = serializers.ChoiceField(choices=["all", "quarter", "year"], required=False)
    year = serializers.IntegerField(required=False)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)


class CountSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class UnitCountsSerializer(serializers.Serializer):
    unit = UnitBriefSerializer()
    states = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class DecisionRowSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    decided = serializers.IntegerField()
    approved = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(allow_null=True)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    label = serializers.CharField()


def _counts(rows):
    return [{"value": v, "label": label, "count": n} for v, label, n in rows]


class DashboardSerializer(serializers.Serializer):
    """stats.Dashboard."""

    unit = UnitBriefSerializer()
    period = PeriodSerializer()
    total = serializers.IntegerField()
    submitted = serializers.IntegerField()
    decided = serializers.IntegerField()
    approved = serializers.IntegerField()
    approval_rate = serializers.IntegerField(allow_null=True)
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_time_rate = serializers.IntegerField(allow_null=True)
    average_days = serializers.FloatField(allow_null=True)
    overdue_now = serializers.IntegerField()
    adoptions = serializers.IntegerField()
    institutionalized = serializers.IntegerField()
    lessons = serializers.IntegerField()
    protected = serializers.IntegerField()
    states = serializers.SerializerMethodField()
    outcomes = serializers.SerializerMethodField()
    protection = serializers.SerializerMethodField()
    recognitions = serializers.SerializerMethodField()
    units = UnitCountsSerializer(many=True)
    decisions = DecisionRowSerializer(many=True)

    @extend_schema_field(CountSerializer(many=True))
    def get_states(self, d):
        return _counts(d.states)

    @extend_schema_field(CountSerializer(many=True))
    def get_outcomes(self, d):
        return _counts(d.outcomes)

    @extend_schema_field(CountSerializer(many=True))
    def get_protection(self, d):
        return _counts(d.protection)

    @extend_schema_field(CountSerializer(many=True))
    def get_recognitions(self, d):
        return _counts(d.recognitions)
