"""The JSON shapes of the review stage's API. Serializers check only the form of the input; who may
do what, and when, is the services' business."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from proposals.models import Field, Opinion, Proposal
from proposals.serializers import UserBriefSerializer
from units.api import UnitBriefSerializer

from .models import (
    AbuseCase,
    AbuseExplanation,
    AbuseReferral,
    BallotChoice,
    Decision,
    Evaluation,
    Institutionalization,
    Outcome,
    Recognition,
    ResponsibilityComplaint,
    ResponsibilityDecision,
    ResponsibilityExplanation,
    current_decisions,
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


class OutcomeTallySerializer(serializers.Serializer):
    """The collective's vote on the recorded outcome, when the evaluation was recorded."""

    eligible = serializers.IntegerField(help_text="Head and deputies of the deciding unit.")
    votes_for = serializers.IntegerField(help_text="Ballots for this outcome.")
    against = serializers.IntegerField(help_text="Ballots for another outcome.")
    abstain = serializers.IntegerField()
    passed = serializers.BooleanField()

    def get_fields(self):
        # "for" is a Python keyword: the field is declared as votes_for and published as "for".
        fields = super().get_fields()
        fields["for"] = fields.pop("votes_for")
        return fields


class MinutesSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class EvaluationSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    opinion = OpinionBriefSerializer(read_only=True)
    evaluated_by = UserBriefSerializer(read_only=True)
    on_time = serializers.BooleanField(read_only=True, allow_null=True)
    tally = serializers.SerializerMethodField(
        help_text="The collective's vote on this outcome (counts, never names); null before it."
    )
    head_override = serializers.BooleanField(
        read_only=True,
        help_text="Recorded although the collective's vote did not carry this outcome: the "
        "head bears personal responsibility (`override_reason`).",
    )
    minutes = serializers.SerializerMethodField(
        help_text="The minutes of the evaluation meeting "
        "(`GET /proposals/{id}/evaluation/minutes/`)."
    )

    @extend_schema_field(OutcomeTallySerializer(allow_null=True))
    def get_tally(self, evaluation):
        return OutcomeTallySerializer(evaluation.tally).data if evaluation.tally else None

    @extend_schema_field(MinutesSerializer(allow_null=True))
    def get_minutes(self, evaluation):
        minutes = getattr(evaluation, "minutes", None)
        return MinutesSerializer(minutes).data if minutes is not None else None

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
            "tally",
            "head_override",
            "override_reason",
            "minutes",
        ]
        read_only_fields = fields


class BallotSerializer(serializers.Serializer):
    voter = UserBriefSerializer()
    choice = serializers.CharField()
    choice_label = serializers.CharField(source="get_choice_display")
    cast_at = serializers.DateTimeField()


class BallotCountSerializer(serializers.Serializer):
    choice = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    passed = serializers.BooleanField(help_text="This outcome's vote passed (never for abstain).")


class EvaluationVoteSerializer(serializers.Serializer):
    """The leadership collective's vote on the outcome (Decree 73, Art. 18)."""

    open = serializers.BooleanField(help_text="The results are being evaluated: ballots count.")
    secret = serializers.BooleanField(
        help_text="You are not in the collective: `ballots` is empty, and while the vote is open "
        "`counts` and `carried` are null."
    )
    eligible = serializers.IntegerField(help_text="Head and deputies who are not authors.")
    counts = BallotCountSerializer(many=True, allow_null=True)
    carried = serializers.CharField(
        allow_null=True, help_text="The outcome the vote carried, if any."
    )
    my_ballot = serializers.CharField(allow_null=True)
    can_vote = serializers.BooleanField(help_text="Whether you may cast or change a ballot now.")
    ballots = BallotSerializer(many=True, help_text="Who voted what: for the collective only.")


class BallotInputSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=BallotChoice.choices, label=_("Ballot"))


class ResponsibilityComplaintSerializer(serializers.ModelSerializer):
    resolution_label = serializers.CharField(source="get_resolution_display", read_only=True)
    resolved_by = UserBriefSerializer(read_only=True, allow_null=True)
    resolution_due = serializers.SerializerMethodField(
        help_text="The head's last day to resolve the complaint (Law on Complaints, Art. 28: "
        "KL14_COMPLAINT_RESOLUTION_DAYS after filing, KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX "
        "once the head has declared it a complex case)."
    )
    extended_by = UserBriefSerializer(read_only=True, allow_null=True)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_resolution_due(self, complaint):
        from .responsibility import complaint_resolution_due

        return complaint_resolution_due(complaint)

    class Meta:
        model = ResponsibilityComplaint
        fields = [
            "text",
            "filed_at",
            "resolution",
            "resolution_label",
            "resolution_text",
            "resolved_by",
            "resolved_at",
            "resolution_due",
            "extended_at",
            "extended_by",
            "extension_reason",
        ]
        read_only_fields = fields


class ResponsibilityDecisionSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The author this decision concerns (null: one decision for all authors, "
        "recorded before decisions were made per person).",
    )
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    decided_by = UserBriefSerializer(read_only=True)
    protected = serializers.BooleanField(read_only=True)
    complaint = serializers.SerializerMethodField()
    supersedes = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The decision this one revises after a founded complaint (Law on Complaints, "
        "Art. 31); null for an author's first decision.",
    )
    current = serializers.SerializerMethodField(
        help_text="Whether this is the author's current decision (no revision supersedes it)."
    )
    complaint_due = serializers.SerializerMethodField(
        help_text="The last day the author may complain against this decision "
        "(KL14_COMPLAINT_DAYS calendar days, Law on Complaints, Art. 9); null for a decision "
        "for all authors."
    )

    class Meta:
        model = ResponsibilityDecision
        fields = [
            "id",
            "author",
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
            "complaint",
            "supersedes",
            "current",
            "complaint_due",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_current(self, decision) -> bool:
        return not hasattr(decision, "superseded_by")

    @extend_schema_field(OpenApiTypes.DATE)
    def get_complaint_due(self, decision):
        from .responsibility import complaint_deadline

        return complaint_deadline(decision) if decision.author_id else None

    @extend_schema_field(ResponsibilityComplaintSerializer(allow_null=True))
    def get_complaint(self, decision):
        complaint = getattr(decision, "complaint", None)
        return None if complaint is None else ResponsibilityComplaintSerializer(complaint).data


class ResponsibilityExplanationSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = ResponsibilityExplanation
        fields = ["author", "text", "created_at"]
        read_only_fields = fields


class TextInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)


class ComplaintExtensionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why the case is complex.")


class ComplaintResolutionInputSerializer(serializers.Serializer):
    """`accepted` (founded) or `partly` (partly founded) carry the revised decision on the
    author (the fields of `decide_responsibility`), which supersedes the one complained of;
    `upheld` keeps the decision and reads none of them."""

    resolution = serializers.ChoiceField(choices=ResponsibilityComplaint.Resolution.choices)
    text = serializers.CharField(max_length=20000, help_text="The reasons of the resolution.")
    decision = serializers.ChoiceField(
        choices=Decision.choices, required=False, help_text="The revised decision."
    )
    followed_approved_plan = serializers.BooleanField(required=False)
    pure_motive = serializers.BooleanField(required=False)
    common_interest = serializers.BooleanField(required=False)
    no_personal_gain = serializers.BooleanField(required=False)
    damage = serializers.BooleanField(required=False)
    damage_amount = serializers.IntegerField(
        required=False, allow_null=True, help_text="VND, when there is damage."
    )
    reasons = serializers.CharField(
        required=False, max_length=5000, help_text="The reasons of the revised decision."
    )


class ReferralSerializer(serializers.ModelSerializer):
    referred_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = AbuseReferral
        fields = ["evidence", "from_state", "referred_by", "created_at"]
        read_only_fields = fields


class AbuseExplanationSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = AbuseExplanation
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class AbuseCaseSerializer(serializers.ModelSerializer):
    referred_by = UserBriefSerializer(read_only=True)
    concluded_by = UserBriefSerializer(read_only=True, allow_null=True)
    explanations = AbuseExplanationSerializer(many=True, read_only=True)

    class Meta:
        model = AbuseCase
        fields = [
            "id",
            "grounds",
            "evidence",
            "from_state",
            "referred_by",
            "created_at",
            "explanation_due",
            "explanations",
            "finding",
            "conclusion",
            "concluded_by",
            "concluded_at",
        ]
        read_only_fields = fields


class AbuseExplanationInputSerializer(serializers.Serializer):
    text = serializers.CharField(label=_("Your explanation"), max_length=20000)


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
        source="responsibility",
        allow_null=True,
        help_text="The decision when there is only one (a single author); see "
        "`responsibility_decisions` for each author's.",
    )
    responsibility_decisions = ResponsibilityDecisionSerializer(
        source="responsibilities",
        many=True,
        help_text="One decision per author (Decree 73, Art. 5(2), 11), with their complaint.",
    )
    explanation_due = serializers.DateField(
        allow_null=True,
        help_text="In the responsibility review: the last day the authors may explain.",
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
    rows = AdoptionRowSerializer(
        many=True, help_text="The source first, then the adoptions you may see."
    )
    hidden = serializers.IntegerField(
        help_text="How many adoptions are in units whose proposals you may not see (not listed)."
    )


class LessonEvaluationSerializer(serializers.ModelSerializer):
    """The evaluation as the lessons library shows it: what came out and why (not who)."""

    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "outcome",
            "outcome_label",
            "causes_objective",
            "causes_subjective",
            "meeting_date",
        ]
        read_only_fields = fields


class LessonResponsibilitySerializer(serializers.ModelSerializer):
    """The responsibility decision as the lessons library shows it."""

    author = UserBriefSerializer(read_only=True, allow_null=True)
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    protected = serializers.BooleanField(read_only=True)

    class Meta:
        model = ResponsibilityDecision
        fields = [
            "author",
            "decision",
            "decision_label",
            "protected",
            "damage",
            "damage_amount",
            "reasons",
        ]
        read_only_fields = fields


class LessonSerializer(serializers.ModelSerializer):
    """A proposal in the lessons library, as every signed-in user reads it (amendment "Published
    lessons"): the problem (`bottleneck`), the solution (`content`), the results and their causes,
    the lessons learned, the unit and the dates. Never votes, opinions, ledger payloads, damages
    or referral evidence."""

    home_unit = UnitBriefSerializer(read_only=True)
    field_label = serializers.CharField(source="get_field_display", read_only=True)
    lessons = serializers.CharField(source="lesson.lessons", read_only=True)
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "code",
            "title",
            "summary",
            "bottleneck",
            "content",
            "field",
            "field_label",
            "home_unit",
            "published_at",
            "lessons",
            "evaluation",
        ]
        read_only_fields = fields

    @staticmethod
    def _related(proposal, name):
        try:
            return getattr(proposal, name)
        except Proposal._meta.get_field(name).related_model.DoesNotExist:
            return None

    @extend_schema_field(LessonEvaluationSerializer(allow_null=True))
    def get_evaluation(self, proposal):
        evaluation = self._related(proposal, "evaluation")
        return None if evaluation is None else LessonEvaluationSerializer(evaluation).data


class LessonDossierSerializer(serializers.Serializer):
    """What only those who could see the proposal before it was published read with its lesson."""

    state = serializers.CharField()
    state_label = serializers.CharField()
    authors = UserBriefSerializer(many=True)
    responsibility_decision = LessonResponsibilitySerializer(allow_null=True)
    responsibility_decisions = LessonResponsibilitySerializer(many=True)
    referred = serializers.BooleanField()


class LessonDetailSerializer(LessonSerializer):
    dossier = serializers.SerializerMethodField(
        help_text=(
            "The state, authors, responsibility decision and referral: only for those who may see "
            "the whole proposal (`/proposals/{id}/`), null for everyone else."
        )
    )

    class Meta(LessonSerializer.Meta):
        fields = [*LessonSerializer.Meta.fields, "dossier"]
        read_only_fields = fields

    @extend_schema_field(LessonDossierSerializer(allow_null=True))
    def get_dossier(self, proposal):
        if not self.context.get("full"):
            return None
        decisions = current_decisions(proposal.responsibility_decisions.all())
        decision = decisions[0] if len(decisions) == 1 else None
        return LessonDossierSerializer(
            {
                "state": proposal.state,
                "state_label": proposal.get_state_display(),
                "authors": [a.user for a in proposal.authorships.all()],
                "responsibility_decision": decision,
                "responsibility_decisions": decisions,
                "referred": self._related(proposal, "abuse_referral") is not None,
            }
        ).data


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
        required=False,
        help_text="Or the dossier PDF itself (multipart): the file is checked, not only the "
        "record.",
    )


class VerificationProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class FileCheckSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    signature = serializers.ChoiceField(
        choices=["valid", "broken", "modified", "untrusted", "unsigned"],
        help_text="What pyHanko found: unsigned, broken, modified (bytes added after signing), "
        "untrusted (a signer outside the trusted roots) or valid.",
    )
    signer = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    timestamped = serializers.BooleanField()
    kind = serializers.CharField(required=False, help_text="dossier, period_report, …")
    issued_at = serializers.DateTimeField(required=False)
    chain_seq = serializers.IntegerField(required=False, allow_null=True)
    chain_head = serializers.CharField(required=False)


class DecisionFactSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    label = serializers.CharField()
    by = serializers.CharField()
    state = serializers.CharField()


class FactsSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    home_unit = serializers.CharField()
    deciding_unit = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    state = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decisions = DecisionFactSerializer(many=True)


class CheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            "valid",
            "extended",
            "broken",
            "signature_broken",
            "unknown_signer",
            "not_issued",
        ],
        help_text=(
            "valid: the ledger still ends at the head the dossier was issued at; extended: that "
            "part is intact and events were added since; broken: the ledger was altered. For an "
            "uploaded file only: signature_broken (changed or appended after signing), "
            "unknown_signer (signed by a certificate KL14 does not trust), not_issued (unsigned, "
            "or bytes KL14 never issued)."
        ),
    )
    message = serializers.CharField()
    code = serializers.CharField()
    checked = serializers.ChoiceField(
        choices=["document", "record"],
        help_text="document: the uploaded file itself was checked; record: only the ledger "
        "record under a typed code, not any document.",
    )
    genuine = serializers.BooleanField(
        help_text="The uploaded file is the one KL14 issued and the ledger still holds it."
    )
    proposal = VerificationProposalSerializer(required=False)
    state = serializers.CharField(required=False)
    protection_denied = serializers.BooleanField(required=False)
    issued_at = serializers.DateTimeField(required=False)
    chain_head_at_issue = serializers.CharField(required=False)
    entries_at_issue = serializers.IntegerField(required=False)
    chain_head_now = serializers.CharField(required=False)
    entries_now = serializers.IntegerField(required=False)
    first_bad_seq = serializers.IntegerField(allow_null=True, required=False)
    record_kind = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="When the ledger no longer verifies because a recorded row (a vote, an "
        "opinion, a plan version, a document…) disagrees with its entry: its kind (votes, "
        "opinions, plan_versions…); null otherwise.",
    )
    record_label = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="That kind of record in the reader's language (“Phiếu biểu quyết”), or empty.",
    )
    problem = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="What is wrong with the ledger, in one sentence; empty when it verifies.",
    )
    file = FileCheckSerializer(required=False)
    facts = FactsSerializer(
        required=False, help_text="What KL14's record says, to compare with the paper in hand."
    )


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
    subtree = serializers.BooleanField(
        help_text="The row counts this child unit with every unit under it."
    )


class DecisionRowSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    decided = serializers.IntegerField()
    approved = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True)
    subtree = serializers.BooleanField(
        help_text="Decided by the units of this child unit's subtree, not by the unit alone."
    )


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
