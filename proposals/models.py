"""The dossier of an innovation proposal, its frozen versions, votes, opinions and attachments.

The state machine is lifecycle.md's: the model only declares states and transitions (whose
bodies stamp fields on `self`); services.py checks the actor, the state and the inputs, fires the
transition, saves and
writes the ledger in one transaction.
"""

import functools
import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMFieldMixin, transition

from kl14.choices import ChoiceLabels
from kl14.links import pk_url
from kl14.triggers import append_only


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for revision")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")
    EVALUATING = "evaluating", _("Evaluating")
    SUCCEEDED = "succeeded", _("Succeeded")
    RESPONSIBILITY_REVIEW = "responsibility_review", _("Responsibility review")
    LIABILITY_EXCLUDED = "liability_excluded", _("Liability excluded")
    EXEMPTED = "exempted", _("Exempted")
    REDUCED = "reduced", _("Responsibility reduced")
    HELD_RESPONSIBLE = (
        "held_responsible",
        _("Not eligible for protection; responsibility considered under the applicable rules"),
    )
    RESPONSIBILITY_DECIDED = "responsibility_decided", _("Responsibility decided per person")
    REFERRED = "referred", _("Referred for abuse")
    ABUSE_REVIEW = "abuse_review", _("Abuse case under review")
    REPLICATED = "replicated", _("Replicated")
    INSTITUTIONALIZED = "institutionalized", _("Institutionalized")


S = State
EDITABLE_STATES = (S.DRAFT, S.RETURNED)
DECISION_STATES = (S.SUBMITTED, S.UNDER_REVIEW)
RESPONSIBILITY_OUTCOMES = (
    S.LIABILITY_EXCLUDED,
    S.EXEMPTED,
    S.REDUCED,
    S.HELD_RESPONSIBLE,
    # The authors' decisions differ (one decision per person, amendment of 2026-11-29).
    S.RESPONSIBILITY_DECIDED,
)
# Every state after `approved` from which a suspected abuse of the policy may be referred
# (amendments of 2026-11-29: also after success and a protective responsibility decision). An
# unfounded finding returns the proposal to the state it came from.
ABUSE_SOURCES = (
    S.APPROVED,
    S.IN_PROGRESS,
    S.SUSPENDED,
    S.ENDED,
    S.EVALUATING,
    S.SUCCEEDED,
    S.RESPONSIBILITY_REVIEW,
    *RESPONSIBILITY_OUTCOMES,
    S.REPLICATED,
    S.INSTITUTIONALIZED,
)


class Mode(models.TextChoices):
    PILOT = "pilot", _("Pilot")
    IMPLEMENTATION = "implementation", _("Implementation")


class RegulationStatus(models.TextChoices):
    NOT_REGULATED = "not_regulated", _("Not yet regulated")
    REGULATED_BUT_UNFIT = "regulated_but_unfit", _("Regulated, but no longer fits practice")
    # Outside Decree 73, Art. 5(1)(a): kept so that the authors can say so, and flagged to the
    # deciders (proposals.selectors.regulation_flag) rather than hidden behind a forced choice.
    REGULATED_AND_FIT = "regulated_and_fit", _("Already regulated, and the rule still fits")


# Decree 73, Art. 5(1)(a) covers only these: a proposal on any other matter is flagged.
QUALIFYING_REGULATION = (RegulationStatus.NOT_REGULATED, RegulationStatus.REGULATED_BUT_UNFIT)


class AuthorPost(models.TextChoices):
    """Decree 73, Art. 2: cadres in a leadership or management post are protected; the others
    are encouraged (amendment of 2026-11-29)."""

    LEADERSHIP = "leadership", _("Holds a leadership or management post")
    STAFF = "staff", _("Does not hold a leadership or management post")


class Field(models.TextChoices):
    ADMINISTRATIVE_REFORM = "administrative_reform", _("Administrative reform")
    DIGITAL_TRANSFORMATION = "digital_transformation", _("Digital transformation")
    ECONOMY = "economy", _("Economy and investment")
    FINANCE = "finance", _("Finance and budget")
    LAND_ENVIRONMENT = "land_environment", _("Land, resources and environment")
    SOCIAL = "social", _("Culture, society, health and education")
    ORGANISATION = "organisation", _("Organisation and personnel")
    PARTY_BUILDING = "party_building", _("Party building")
    OTHER = "other", _("Other")


# The Art. 7(2) plan, in the order of the form and of the frozen version.
PLAN_FIELDS = (
    "bottleneck",
    "regulation_status",
    "purpose",
    "content",
    "scope",
    "implementers",
    "timeline",
    "resources",
    "feasibility",
    "impact",
    "expected_results",
)
CRITERIA_FIELDS = (
    "criterion_bottleneck",
    "criterion_common_good",
    "criterion_urgent_need",
    "criterion_reform",
)
DOSSIER_FIELDS = (
    "title",
    "summary",
    "field",
    *PLAN_FIELDS,
    *CRITERIA_FIELDS,
    "declaration_no_personal_interest",
)


@functools.cache
def _state_fields(model) -> tuple:
    return tuple(f for f in model._meta.fields if isinstance(f, FSMFieldMixin))


class Proposal(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, null=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    field = models.CharField(_("field"), max_length=32, choices=Field.choices, default=Field.OTHER)
    home_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="home_proposals",
        verbose_name=_("home unit"),
        # Indexed first in proposal_home_created_keyset (Meta.indexes), which serves its lookups.
        db_index=False,
    )
    deciding_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="deciding_proposals",
        null=True,
        blank=True,
        verbose_name=_("deciding unit"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_proposals",
        verbose_name=_("created by"),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProposalAuthor",
        related_name="authored_proposals",
        verbose_name=_("authors"),
    )

    # Art. 7(2): the plan.
    bottleneck = models.TextField(_("bottleneck to remove"), blank=True)
    regulation_status = models.CharField(
        _("regulation status"), max_length=32, choices=RegulationStatus.choices, blank=True
    )
    purpose = models.TextField(_("necessity, purpose and requirements"), blank=True)
    content = models.TextField(_("content, tasks and solutions"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    implementers = models.TextField(_("implementers"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    resources = models.TextField(_("resources"), blank=True)
    feasibility = models.TextField(_("feasibility"), blank=True)
    impact = models.TextField(_("positive and negative impact"), blank=True)
    expected_results = models.TextField(_("expected effectiveness"), blank=True)

    # Art. 5(1): the four criteria, affirmed by the authors.
    criterion_bottleneck = models.BooleanField(_("removes a bottleneck"), default=False)
    criterion_common_good = models.BooleanField(_("serves the common good"), default=False)
    criterion_urgent_need = models.BooleanField(_("meets an urgent practical need"), default=False)
    criterion_reform = models.BooleanField(_("promotes reform"), default=False)
    declaration_no_personal_interest = models.BooleanField(
        _("declaration of no personal interest"), default=False
    )

    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    decision_round = models.PositiveIntegerField(_("decision round"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The decision due date the proposal had when it was approved or rejected (decision_due is
    # cleared then): whether it was decided on time, read from the row, not from the ledger.
    decided_due = models.DateField(_("decision was due"), null=True, blank=True, editable=False)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, blank=True)
    head_override = models.BooleanField(
        _("approved on the head's own responsibility"), default=False
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    origin = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("replicated from"),
    )
    published_at = models.DateTimeField(
        _("published to the lessons library"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # PostgreSQL only: the folded code, title, summary and bottleneck (kl14.search), written by a
    # trigger (migration 0003) and GIN-indexed. Other databases search the columns themselves.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "decision_due"]),
            models.Index(fields=["deciding_unit", "state"]),
            models.Index(fields=["home_unit", "state"]),
            # Keyset pages of the API in the default order, with and without a state filter.
            # With the version: the oversight of a whole tree (every submitted proposal) and the
            # capped count read the index alone (PostgreSQL; other databases ignore `include`).
            models.Index(
                fields=["created_at", "id"], include=["version"], name="proposal_created_keyset"
            ),
            models.Index(
                fields=["state", "created_at", "id"],
                include=["version"],
                name="proposal_state_created_keyset",
            ),
            # A unit's proposals in the default order, from the index alone: an oversight role
            # below the root (a province's board) reads its subtree unit by unit instead of
            # walking the whole country's order (?page=50: 167 -> 11 ms of SQL at 1M).
            models.Index(
                fields=["home_unit", "created_at", "id"],
                include=["version"],
                name="proposal_home_created_keyset",
            ),
        ]

    def __str__(self):
        return f"{self.code or _('(draft)')} — {self.title}"

    def get_absolute_url(self):
        return pk_url("proposals:detail", self.pk)

    @property
    def state_fields(self):
        """django-fsm's FSM fields of the model (the state), for its check that nobody changed the
        state meanwhile. Its own scans the model's every field on each instance it builds
        (ConcurrentTransitionMixin.__init__): ~40 calls a row, a quarter of building a proposal
        from its row (8.2 → 6.3 µs; the reminder sweep builds 180,000). They are the same for
        every instance: found once."""
        return _state_fields(type(self))

    # --- decision (this stage) -------------------------------------------------------------------
    @transition(field=state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED)
    def submit(self, *, deciding_unit, version, decision_due, at):
        self.deciding_unit = deciding_unit
        self.version = version
        self.decision_due = decision_due
        self.submitted_at = at
        self.decision_round += 1

    @transition(
        field=state, source=[S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED], target=S.WITHDRAWN
    )
    def withdraw(self):
        self.decision_due = None

    @transition(field=state, source=S.SUBMITTED, target=S.UNDER_REVIEW)
    def open_review(self):
        pass

    @transition(field=state, source=DECISION_STATES, target=S.RETURNED)
    def return_for_revision(self):
        self.decision_due = None

    @transition(field=state, source=DECISION_STATES, target=S.SUBMITTED)
    def escalate(self, *, deciding_unit, decision_due, at):
        self.deciding_unit = deciding_unit
        self.decision_due = decision_due
        self.submitted_at = at
        self.decision_round += 1

    @transition(field=state, source=S.UNDER_REVIEW, target=S.APPROVED)
    def approve(self, *, mode, head_override, at):
        self.mode = mode
        self.head_override = head_override
        self.decided_at = at
        self.decided_due = self.decision_due
        self.decision_due = None

    @transition(field=state, source=S.UNDER_REVIEW, target=S.REJECTED)
    def reject(self, *, at):
        self.decided_at = at
        self.decided_due = self.decision_due
        self.decision_due = None

    # --- implementation (pilots app) ----------------------------------------------------------
    @transition(field=state, source=S.APPROVED, target=S.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=S.IN_PROGRESS, target=S.SUSPENDED)
    def suspend(self):
        pass

    @transition(field=state, source=S.SUSPENDED, target=S.IN_PROGRESS)
    def resume(self):
        pass

    @transition(field=state, source=[S.IN_PROGRESS, S.SUSPENDED], target=S.ENDED)
    def terminate(self):
        pass

    @transition(field=state, source=S.IN_PROGRESS, target=S.ENDED)
    def complete(self):
        pass

    @transition(field=state, source=S.ENDED, target=S.EVALUATING)
    def submit_final_report(self):
        pass

    # --- review (reviews app) -----------------------------------------------------------------
    @transition(
        field=state, source=S.EVALUATING, target=RETURN_VALUE(S.SUCCEEDED, S.RESPONSIBILITY_REVIEW)
    )
    def evaluate(self, *, achieved):
        return S.SUCCEEDED if achieved else S.RESPONSIBILITY_REVIEW

    @transition(
        field=state, source=S.RESPONSIBILITY_REVIEW, target=RETURN_VALUE(*RESPONSIBILITY_OUTCOMES)
    )
    def decide_responsibility(self, *, decision):
        return decision

    # A complaint against one author's decision resolved as founded (or partly) revises it
    # (Law on Complaints 2011, Art. 31): the state follows the authors' current decisions.
    @transition(
        field=state, source=RESPONSIBILITY_OUTCOMES, target=RETURN_VALUE(*RESPONSIBILITY_OUTCOMES)
    )
    def revise_responsibility(self, *, decision):
        return decision

    @transition(field=state, source=ABUSE_SOURCES, target=S.ABUSE_REVIEW)
    def refer_abuse(self):
        pass

    @transition(field=state, source=S.ABUSE_REVIEW, target=RETURN_VALUE(S.REFERRED, *ABUSE_SOURCES))
    def conclude_abuse(self, *, founded, back_to):
        return S.REFERRED if founded else back_to

    @transition(field=state, source=[S.SUCCEEDED, S.REPLICATED], target=S.REPLICATED)
    def replicate(self):
        pass

    @transition(field=state, source=[S.SUCCEEDED, S.REPLICATED], target=S.INSTITUTIONALIZED)
    def institutionalize(self):
        pass


class ProposalAuthor(ChoiceLabels, models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="authorships")
    # Indexed with the proposal (Meta.indexes), not alone: a cadre's proposals are read and
    # counted from the index, without visiting a row of this table for each.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authorships",
        db_index=False,
    )
    is_creator = models.BooleanField(default=False)
    post = models.CharField(
        _("post"), max_length=16, choices=AuthorPost.choices, blank=True, default=""
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="unique_proposal_author"),
        ]
        indexes = [models.Index(fields=["user", "proposal"], name="proposal_author_by_user")]

    def __str__(self):
        return f"{self.user} — {self.proposal_id}"


class ProposalVersion(models.Model):
    """The dossier as it stood at a submission, frozen, with the SHA-256 of its content."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    content = models.JSONField(_("content"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["proposal_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="unique_version_number"),
        ]
        triggers = [append_only("proposal_version_frozen")]

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"


def new_token() -> str:
    return secrets.token_hex(16)


class StoredUpload(models.Model):
    """A file a user uploaded: stored under a random token (never its own name), with the type
    read from its content, its size and SHA-256 (proposals.uploads.inspect_upload)."""

    token = models.CharField(max_length=32, unique=True, editable=False, default=new_token)
    extension = models.CharField(max_length=10, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


def attachment_path(instance, filename):
    return f"proposals/{instance.proposal_id}/{instance.token}{instance.extension}"


class Attachment(StoredUpload):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)

    class Meta(StoredUpload.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Vote(ChoiceLabels, models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="votes")
    round = models.PositiveIntegerField(_("decision round"))
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("voter"),
    )
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(_("cast at"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "voter"], name="one_vote_per_round"
            ),
        ]

    def __str__(self):
        return f"{self.voter} — {self.get_choice_display()}"


class Opinion(ChoiceLabels, models.Model):
    """The same-level Party committee's opinion (Decree 73, Art. 4)."""

    class Stage(models.TextChoices):
        DECISION = "decision", _("Before the decision")
        EVALUATION = "evaluation", _("On the results")

    class Stance(models.TextChoices):
        AGREE = "agree", _("Agree")
        AGREE_WITH_CONDITIONS = "agree_with_conditions", _("Agree with conditions")
        DISAGREE = "disagree", _("Disagree")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="opinions")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    round = models.PositiveIntegerField(_("decision round"))
    stance = models.CharField(_("stance"), max_length=32, choices=Stance.choices)
    text = models.TextField(_("opinion"))
    # The committee's conclusion as issued (amendment of 2026-11-29): its document, and who signed.
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Party committee of"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Party committee opinion")
        verbose_name_plural = _("Party committee opinions")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_stage_display()} — {self.get_stance_display()}"

    @property
    def reference(self) -> str:
        """The committee's document and signer in words (as the ledger quotes them), or ""."""
        from .events import reference_text

        return reference_text(
            {
                "document_number": self.document_number,
                "document_date": self.document_date,
                "signer_name": self.signer_name,
                "signer_title": self.signer_title,
            }
        )
