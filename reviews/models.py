"""What happens after a pilot: the evaluation of its results, the responsibility decision that
protects (or not) the cadres who ran it, referrals for abuse, recognition, replication,
institutionalisation, the lessons library and the protection dossiers issued.

Every row here is written by a service in services.py in the same transaction as the proposal's
ledger entry that records it; none is edited afterwards except the lesson text, which is
republished. Records are kept (PROTECT everywhere): Decree 73 wants them for at least 5 years.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kl14.choices import ChoiceLabels
from proposals.models import StoredUpload


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTIAL = "partial", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    DAMAGE = "damage", _("Caused damage")


class Evaluation(ChoiceLabels, models.Model):
    """The leadership collective's evaluation of the results (Decree 73: within 7 working days
    after the final report), after the Party committee's opinion on them."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=_("proposal"),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    causes_objective = models.TextField(_("objective causes"))
    causes_subjective = models.TextField(_("subjective causes"))
    meeting_date = models.DateField(_("date of the evaluation meeting"))
    opinion = models.ForeignKey(
        "proposals.Opinion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Party committee opinion on the results"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evaluated by"),
    )
    created_at = models.DateTimeField(_("evaluated at"), auto_now_add=True)
    tally = models.JSONField(_("vote of the collective on the outcome"), default=dict, blank=True)
    head_override = models.BooleanField(_("recorded although the vote did not pass"), default=False)
    override_reason = models.TextField(_("reasons for recording it anyway"), blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.proposal_id} — {self.get_outcome_display()}"

    @property
    def on_time(self) -> bool | None:
        if self.due is None:
            return None
        return timezone.localdate(self.created_at) <= self.due


class BallotChoice(models.TextChoices):
    """A member's ballot at the evaluation meeting: one of the outcomes, or abstain."""

    ACHIEVED = Outcome.ACHIEVED.value, Outcome.ACHIEVED.label
    PARTIAL = Outcome.PARTIAL.value, Outcome.PARTIAL.label
    NOT_ACHIEVED = Outcome.NOT_ACHIEVED.value, Outcome.NOT_ACHIEVED.label
    DAMAGE = Outcome.DAMAGE.value, Outcome.DAMAGE.label
    ABSTAIN = "abstain", _("Abstain")


class EvaluationBallot(ChoiceLabels, models.Model):
    """A member of the leadership collective's vote on the outcome at the evaluation meeting
    (Decree 73, Art. 18): head and deputies of the deciding unit who are not authors. Secret
    while the proposal is being evaluated (amendment "Votes are secret while open")."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="evaluation_ballots",
        verbose_name=_("proposal"),
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("voter"),
    )
    choice = models.CharField(_("choice"), max_length=16, choices=BallotChoice.choices)
    cast_at = models.DateTimeField(_("cast at"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation ballot")
        verbose_name_plural = _("evaluation ballots")
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "voter"], name="one_evaluation_ballot_per_voter"
            ),
        ]

    def __str__(self):
        return f"{self.voter} — {self.get_choice_display()}"


def minutes_path(instance, filename):
    return f"evaluations/{instance.evaluation.proposal_id}/{instance.token}{instance.extension}"


class EvaluationMinutes(StoredUpload):
    """The minutes of the evaluation meeting, uploaded with the evaluation (issue 11, point 9)."""

    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="minutes",
        verbose_name=_("evaluation"),
    )
    file = models.FileField(_("file"), upload_to=minutes_path, max_length=255)

    class Meta(StoredUpload.Meta):
        verbose_name = _("minutes of the evaluation meeting")
        verbose_name_plural = _("minutes of the evaluation meetings")


class Decision(models.TextChoices):
    """The outcomes of `decide_responsibility` (the proposal's target states)."""

    LIABILITY_EXCLUDED = "liability_excluded", _("Liability excluded")
    EXEMPTED = "exempted", _("Exempted from responsibility")
    REDUCED = "reduced", _("Responsibility reduced")
    HELD_RESPONSIBLE = (
        "held_responsible",
        _("Not eligible for protection; responsibility considered under the applicable rules"),
    )


# The four criteria of Decree 73, Art. 5(2) and 11, in the order of the form.
CRITERIA = ("followed_approved_plan", "pure_motive", "common_interest", "no_personal_gain")


class ResponsibilityDecision(ChoiceLabels, models.Model):
    """The decision on one author's responsibility (Decree 73, Art. 5(2), 11; amendment of
    2026-11-29: one per person, so one co-author's personal gain condemns nobody else). Written by
    reviews.responsibility after the author had the chance to explain (ResponsibilityExplanation).
    `author` is empty only on decisions recorded before the amendment (one for all authors).

    A complaint resolved as founded or partly founded (Law on Complaints 2011, Art. 31: the
    resolver keeps, amends or cancels the decision) adds the revised decision as a new row that
    `supersedes` the one complained of; that row stays, unchanged, as the history. The author's
    current decision is the one no row supersedes."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="responsibility_decisions",
        verbose_name=_("proposal"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("author concerned"),
    )
    decision = models.CharField(_("decision"), max_length=24, choices=Decision.choices)
    followed_approved_plan = models.BooleanField(_("followed the approved plan"))
    pure_motive = models.BooleanField(_("acted with a pure motive"))
    common_interest = models.BooleanField(_("for the common interest"))
    no_personal_gain = models.BooleanField(_("no personal gain"))
    damage = models.BooleanField(_("caused damage"))
    damage_amount = models.DecimalField(
        _("damage (VND)"), max_digits=18, decimal_places=0, null=True, blank=True
    )
    reasons = models.TextField(_("reasons"))
    due = models.DateField(_("due"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
        verbose_name=_("revises the decision"),
    )

    class Meta:
        verbose_name = _("responsibility decision")
        verbose_name_plural = _("responsibility decisions")
        ordering = ["created_at", "pk"]
        constraints = [
            # One first decision per author; each later one supersedes the one before it.
            models.UniqueConstraint(
                fields=["proposal", "author"],
                condition=models.Q(supersedes__isnull=True),
                name="one_responsibility_decision_per_author",
            )
        ]

    def __str__(self):
        return f"{self.proposal_id} — {self.get_decision_display()}"

    @property
    def protected(self) -> bool:
        return self.decision != Decision.HELD_RESPONSIBLE

    def criteria(self) -> list[tuple[str, bool]]:
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in CRITERIA]


def current_decisions(decisions) -> list:
    """The decisions no other one of `decisions` supersedes (the authors' current decisions),
    from rows already read (a prefetched list: no query)."""
    decisions = list(decisions)
    superseded = {d.supersedes_id for d in decisions if d.supersedes_id}
    return [d for d in decisions if d.pk not in superseded]


class ResponsibilityExplanation(models.Model):
    """One author's explanation (giải trình) before the decision on their responsibility."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="responsibility_explanations",
        verbose_name=_("proposal"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("explanation"))
    created_at = models.DateTimeField(_("explained at"), auto_now_add=True)

    class Meta:
        verbose_name = _("explanation on responsibility")
        verbose_name_plural = _("explanations on responsibility")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "author"], name="one_responsibility_explanation_per_author"
            )
        ]

    def __str__(self):
        return f"{self.proposal_id} — {self.author_id}"


class ResponsibilityComplaint(models.Model):
    """An author's complaint (khiếu nại) against the decision on their own responsibility, and its
    resolution. Under the Law on Complaints (2011, Art. 18) a first complaint is resolved by the
    head of the body that issued the decision complained of: here the head of the deciding unit.
    A second complaint (to the superior head, Art. 21) or a lawsuit happens outside KL14; the
    resolution says so."""

    class Resolution(models.TextChoices):
        UPHELD = "upheld", _("Complaint rejected: the decision stands")
        ACCEPTED = "accepted", _("Complaint founded: the decision is revised")
        PARTLY = "partly", _("Complaint partly founded")

    decision = models.OneToOneField(
        ResponsibilityDecision,
        on_delete=models.PROTECT,
        related_name="complaint",
        verbose_name=_("decision complained of"),
    )
    text = models.TextField(_("complaint"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    resolution_text = models.TextField(_("reasons of the resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # A complex case: the head extends the time to resolve it (Law on Complaints, Art. 28).
    extended_at = models.DateTimeField(_("resolution time extended at"), null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("resolution time extended by"),
    )
    extension_reason = models.TextField(_("why the case is complex"), blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["filed_at", "pk"]

    def __str__(self):
        return f"{self.decision_id} — {self.filed_at:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return not self.resolution

    @property
    def revises(self) -> bool:
        """Founded or partly founded: the resolution carries the revised decision."""
        return self.resolution in REVISING


REVISING = (ResponsibilityComplaint.Resolution.ACCEPTED, ResponsibilityComplaint.Resolution.PARTLY)


class AbuseCase(models.Model):
    """A suspected abuse of the policy (Decree 73, Art. 6), heard before anything is decided: who
    referred it, on what grounds and evidence; the authors' explanations (giải trình) until
    `explanation_due`; then the finding of the inspection of the superior unit. Founded: an
    AbuseReferral revokes the protection. Unfounded: the proposal returns to `from_state`."""

    class Finding(models.TextChoices):
        FOUNDED = "founded", _("Founded: the policy was abused")
        UNFOUNDED = "unfounded", _("Unfounded: no abuse")

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="abuse_cases",
        verbose_name=_("proposal"),
    )
    grounds = models.TextField(_("grounds"))
    evidence = models.TextField(_("evidence"))
    from_state = models.CharField(_("state when referred"), max_length=32)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    explanation_due = models.DateField(_("explanations due"))
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("finding recorded by"),
    )
    concluded_at = models.DateTimeField(_("finding recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("abuse case")
        verbose_name_plural = _("abuse cases")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.proposal_id} — {self.created_at:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return not self.finding


class AbuseExplanation(models.Model):
    """One author's explanation (giải trình) in an abuse case."""

    case = models.ForeignKey(
        AbuseCase,
        on_delete=models.PROTECT,
        related_name="explanations",
        verbose_name=_("abuse case"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("explanation"))
    created_at = models.DateTimeField(_("explained at"), auto_now_add=True)

    class Meta:
        verbose_name = _("explanation")
        verbose_name_plural = _("explanations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "author"], name="one_explanation_per_author")
        ]

    def __str__(self):
        return f"{self.case_id} — {self.author_id}"


class AbuseReferral(models.Model):
    """Decree 73, Art. 6: the policy was used to cover abuse, as the finding of an abuse case
    established; protection is revoked from then on."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="abuse_referral",
        verbose_name=_("proposal"),
    )
    evidence = models.TextField(_("evidence"))
    from_state = models.CharField(_("state when referred"), max_length=32)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    case = models.OneToOneField(
        AbuseCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
        verbose_name=_("abuse case"),
    )

    class Meta:
        verbose_name = _("referral for abuse")
        verbose_name_plural = _("referrals for abuse")

    def __str__(self):
        return f"{self.proposal_id} — {self.created_at:%d/%m/%Y}"


class Replication(models.Model):
    """A directive to replicate a succeeded model (nhân rộng) in some units of an organization
    board's subtree: proposed by that board (`board_unit`), issued when the competent authority
    (`directed_by`) approves its request (board_requests.py); each target unit gets a linked
    proposal (its `origin` is the source)."""

    source = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="replications",
        verbose_name=_("replicated proposal"),
    )
    board_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by the organization board of"),
    )
    directed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("directed by"),
    )
    created_at = models.DateTimeField(_("directed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("replication directive")
        verbose_name_plural = _("replication directives")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.source_id} — {self.created_at:%d/%m/%Y}"


class Adoption(models.Model):
    """One target unit of a replication directive and the proposal created there."""

    replication = models.ForeignKey(Replication, on_delete=models.PROTECT, related_name="adoptions")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="adoption",
        verbose_name=_("proposal in the unit"),
    )

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["replication_id", "unit__path"]

    def __str__(self):
        return f"{self.replication_id} → {self.unit_id}"


class IssuingLevel(models.TextChoices):
    CENTRAL = "central", _("Central (Party, National Assembly, Government)")
    MINISTRY = "ministry", _("Ministry or central agency")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")
    UNIT = "unit", _("Agency or unit (internal regulation)")


class Institutionalization(models.Model):
    """The regulation proposed to turn an effective model into policy (thể chế hóa)."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="institutionalization",
        verbose_name=_("proposal"),
    )
    title = models.CharField(_("regulation proposed"), max_length=500)
    issuing_level = models.CharField(
        _("issuing level"), max_length=16, choices=IssuingLevel.choices
    )
    board_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by the organization board of"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("institutionalisation")
        verbose_name_plural = _("institutionalisations")

    def __str__(self):
        return self.title


class RecognitionKind(models.TextChoices):
    """Decree 73, Art. 10."""

    PRAISE = "praise", _("Praise")
    REWARD = "reward", _("Reward")
    EXCELLENT_RATING = "excellent_rating", _("Rated as excellently completing duties")
    PRIORITY = "priority", _("Priority for appointment or planning")
    EARLY_SALARY_RAISE = "early_salary_raise", _("Salary raise 12 months early")


class Recognition(ChoiceLabels, models.Model):
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="recognitions",
        verbose_name=_("proposal"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recognitions",
        verbose_name=_("recognised cadre"),
    )
    kind = models.CharField(_("recognition"), max_length=24, choices=RecognitionKind.choices)
    note = models.TextField(_("grounds and decision reference"), blank=True)
    request = models.ForeignKey(
        "BoardRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions",
        verbose_name=_("granted on the organization board's request"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by the unit"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "recipient", "kind"], name="one_recognition_of_a_kind"
            ),
        ]

    def __str__(self):
        return f"{self.recipient} — {self.get_kind_display()}"


# --- the organization board proposes, the competent authority decides ---------------------------


class RequestKind(models.TextChoices):
    RECOGNITION = "recognition", _("Recognition")
    REPLICATION = "replication", _("Replication")


class RequestState(models.TextChoices):
    PENDING = "pending", _("Awaiting the decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What the competent authority answers a board's request (the API's input; machine words).
REQUEST_DECISIONS = [("approve", "approve"), ("refuse", "refuse")]


class AuthorityRole(models.TextChoices):
    """In what capacity the competent authority decided a board's request."""

    HEAD = "head", _("Head of the unit above")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee of the Party committee")


class BoardRequest(ChoiceLabels, models.Model):
    """An organization board's request to the competent authority (the Bình Định plan, III.2–3;
    lifecycle.md, Amendments 2026-11-29): to recognise authors of a succeeded proposal (Decree 73,
    Art. 10) or to replicate its model in other units (KL14 2.5). The board proposes; the head of
    the unit above the board's unit (`authority_unit`), or the standing committee of the Party
    committee of the board's unit or one above it, approves or refuses. Only an approval creates
    the recognitions or the replication directive; a pending request may be withdrawn by the
    board. Every step is a ledger entry of the proposal."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="board_requests",
        verbose_name=_("proposal"),
    )
    kind = models.CharField(_("request for"), max_length=16, choices=RequestKind.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=RequestState.choices, default=RequestState.PENDING
    )
    board_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by the organization board of"),
    )
    authority_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("addressed to the head of"),
        help_text=_("The unit above the board's unit (the board's own unit at the root)."),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    grounds = models.TextField(_("grounds"))
    recognition_kind = models.CharField(
        _("form of recognition"), max_length=24, choices=RecognitionKind.choices, blank=True
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        blank=True,
        verbose_name=_("cadres proposed"),
    )
    target_units = models.ManyToManyField(
        "units.Unit", related_name="+", blank=True, verbose_name=_("units proposed")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_as = models.CharField(
        _("decided as"), max_length=24, choices=AuthorityRole.choices, blank=True
    )
    decided_in = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided in the unit"),
    )
    reason = models.TextField(_("reason"), blank=True)
    replication = models.OneToOneField(
        Replication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("replication directive"),
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request to the competent authority")
        verbose_name_plural = _("requests to the competent authority")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind", "recognition_kind"],
                condition=Q(state="pending"),
                name="one_pending_board_request",
            ),
        ]
        indexes = [models.Index(fields=["state", "authority_unit"])]

    def __str__(self):
        return f"{self.proposal_id} — {self.get_kind_display()} — {self.get_state_display()}"

    @property
    def pending(self) -> bool:
        return self.state == RequestState.PENDING


class Lesson(models.Model):
    """An evaluated proposal's entry in the lessons library (bài học kinh nghiệm). It is readable
    by everyone signed in while `Proposal.published_at` is set; unpublishing keeps the row.

    `search_text` is the proposal's searchable text folded to lower-case ASCII (no diacritics,
    đ → d, kl14.search.fold): the search on SQLite runs over it, PostgreSQL's over its tsvector."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="lesson",
        verbose_name=_("proposal"),
    )
    lessons = models.TextField(_("lessons learned"))
    search_text = models.TextField(editable=False, blank=True)
    # PostgreSQL only: search_text as a tsvector, kept by a trigger (migration 0003), GIN-indexed.
    search_vector = SearchVectorField(null=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    # `Proposal.published_at`, kept beside the text by lesson_publish and lesson_unpublish (in the
    # same transaction), so that the library's keys are found, ranked and cut on this table alone
    # (reviews.selectors.lesson_keys): joining the proposals to read it cost most of a search
    # at 1M (issue 12).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        indexes = [
            # The library without a search: newest first, cut to a page.
            models.Index(
                F("published_at").desc(),
                F("proposal_id").desc(),
                name="lesson_published",
                condition=Q(published_at__isnull=False),
            ),
        ]

    def __str__(self):
        return str(self.proposal_id)


class DossierIssue(models.Model):
    """A protection dossier (hồ sơ bảo vệ) as issued: the ledger's head and length at that moment,
    under a verification code derived from them with the server's key (see dossier.py)."""

    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="dossier_issues",
        verbose_name=_("proposal"),
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    chain_head = models.CharField(_("chain head"), max_length=64)
    entries = models.PositiveIntegerField(_("ledger entries"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first issued to"),
    )
    issued_at = models.DateTimeField(_("first issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("protection dossier")
        verbose_name_plural = _("protection dossiers")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "chain_head"], name="one_dossier_per_chain_head"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="dossier_code_not_empty"),
        ]

    def __str__(self):
        return self.code


class Rollup(models.Model):
    """One figure of the organization board's dashboard for a unit's whole subtree and one period
    bucket (issue 12): every proposal counts in every ancestor of its home unit, so the national
    root's dashboard reads a few thousand of these rows instead of every proposal. Kept in the
    transaction of each change by rollups.py; `manage.py rebuild_rollups` recomputes them.

    `period` is the first day of the quarter the fact falls in (local time), except for the key
    `due`, whose period is the decision due date itself. `via` says who decided, for the decision
    keys: the deciding unit when it is this unit or above it, else this unit's child whose
    subtree holds the deciding unit; 0 for every other key."""

    # No index of its own: the unique cell and the index below both begin with the unit.
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit"),
        db_index=False,
    )
    period = models.DateField(_("period"))
    key = models.CharField(_("figure"), max_length=48)
    via = models.PositiveIntegerField(_("decided by"), default=0)
    n = models.BigIntegerField(_("count"), default=0)
    # Decisions: the sum of the times from submission to decision, in microseconds.
    duration = models.BigIntegerField(_("total duration"), default=0)

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "key", "via"], name="rollup_unique_cell"
            ),
        ]
        indexes = [
            # One family of figures of given units (`key LIKE 'state:%'`: the dashboard's
            # children by state) without reading their other rows, whose number grows with
            # the units under each (`via`) and the days (`due`). PostgreSQL needs the pattern
            # operator class to use a prefix LIKE under a non-C collation. The count is in the
            # index (INCLUDE): the children by state are summed from the index alone, without
            # visiting the table's pages, one per row (7,752 rows, 8 ms at the national root).
            models.Index(
                fields=["unit", "key"],
                name="rollup_unit_key",
                opclasses=["int8_ops", "varchar_pattern_ops"],
                include=["n"],
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.period} {self.key} {self.via}: {self.n}"


class RollupShare(models.Model):
    """What one proposal's own row adds to the roll-ups now: the ids of its home unit's chain
    (root first) and its cells `[key, period, deciding unit id or 0, n, duration]`. The next
    change to the proposal takes exactly this away and adds what the row says then, whatever
    changed in between; a proposal without a share is counted nowhere."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("proposal"),
    )
    chain = models.JSONField(_("units"), default=list)
    cells = models.JSONField(_("cells"), default=list)

    class Meta:
        verbose_name = _("dashboard share of a proposal")
        verbose_name_plural = _("dashboard shares of proposals")

    def __str__(self):
        return str(self.proposal_id)
