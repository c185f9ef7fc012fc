"""What happens after a pilot: the evaluation of its results, the responsibility decision that
protects (or not) the cadres who ran it, referrals for abuse, recognition, replication,
institutionalisation, the lessons library and the protection dossiers issued.

Every row here is written by a service in services.py in the same transaction as the proposal's
ledger entry that records it; none is edited afterwards except the lesson text, which is
republished. Records are kept (PROTECT everywhere): Decree 73 wants them for at least 5 years.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTIAL = "partial", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    DAMAGE = "damage", _("Caused damage")


class Evaluation(models.Model):
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
        return self.created_at.date() <= self.due


class Decision(models.TextChoices):
    """The outcomes of `decide_responsibility` (the proposal's target states)."""

    LIABILITY_EXCLUDED = "liability_excluded", _("Liability excluded")
    EXEMPTED = "exempted", _("Exempted from responsibility")
    REDUCED = "reduced", _("Responsibility reduced")
    HELD_RESPONSIBLE = "held_responsible", _("Held responsible")


# The four criteria of Decree 73, Art. 5(2) and 11, in the order of the form.
CRITERIA = ("followed_approved_plan", "pure_motive", "common_interest", "no_personal_gain")


class ResponsibilityDecision(models.Model):
    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="responsibility_decision",
        verbose_name=_("proposal"),
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

    class Meta:
        verbose_name = _("responsibility decision")
        verbose_name_plural = _("responsibility decisions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.proposal_id} — {self.get_decision_display()}"

    @property
    def protected(self) -> bool:
        return self.decision != Decision.HELD_RESPONSIBLE

    def criteria(self) -> list[tuple[str, bool]]:
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in CRITERIA]


class AbuseReferral(models.Model):
    """Decree 73, Art. 6: the policy was used to cover abuse; protection is denied from then on."""

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

    class Meta:
        verbose_name = _("referral for abuse")
        verbose_name_plural = _("referrals for abuse")

    def __str__(self):
        return f"{self.proposal_id} — {self.created_at:%d/%m/%Y}"


class Replication(models.Model):
    """An organization board's directive to replicate a succeeded model (nhân rộng) in some units
    of its subtree; each target unit gets a linked proposal (its `origin` is the source)."""

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
        verbose_name=_("directed by the organization board of"),
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


class Recognition(models.Model):
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


class Lesson(models.Model):
    """An evaluated proposal's entry in the lessons library (bài học kinh nghiệm). It is readable
    by everyone signed in while `Proposal.published_at` is set; unpublishing keeps the row.

    `search_text` is the proposal's searchable text folded to lower-case ASCII (no diacritics,
    đ → d): the search on databases without `unaccent` (SQLite) runs over it."""

    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="lesson",
        verbose_name=_("proposal"),
    )
    lessons = models.TextField(_("lessons learned"))
    search_text = models.TextField(editable=False, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

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
