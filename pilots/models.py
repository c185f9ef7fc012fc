"""The implementation stage of an approved proposal (lifecycle.md: `start` … `submit_final_report`).

The implementation plan belongs to one proposal. It is edited by the head of the home unit while the
proposal is `approved`; every change freezes a numbered `PlanVersion` (canonical JSON and its
SHA-256, recorded in the proposal's ledger), and the approving head co-signs the risk declaration of
one version. Once the work runs, the plan changes only through approved adjustments, each of which
freezes a new version. Progress reports, inspections and the final report hang off the plan.

The proposal's state stays on `Proposal.state`; the services of this app fire its transitions.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from kl14.links import pk_url
from kl14.triggers import append_only
from proposals.models import StoredUpload
from proposals.models import new_token as new_token  # migration 0001 refers to it here


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3}


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Assessment(models.TextChoices):
    GOOD = "good", _("Good")
    CONCERNS = "concerns", _("Concerns")
    SERIOUS = "serious", _("Serious problems")


MONITOR_PERMISSION = "monitor_plan"


class ImplementationPlan(models.Model):
    proposal = models.OneToOneField(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        related_name="plan",
        verbose_name=_("proposal"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    reporting_cadence = models.CharField(
        _("reporting cadence"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    # Resources committed. Đồng have no subunit: a whole number.
    budget_amount = models.PositiveBigIntegerField(_("budget (VND)"), null=True, blank=True)
    budget_details = models.TextField(_("budget details"), blank=True)
    people = models.TextField(_("people"), blank=True)
    equipment = models.TextField(_("equipment and facilities"), blank=True)
    risk_declaration = models.TextField(_("risk declaration"), blank=True)

    version = models.PositiveIntegerField(_("plan version"), default=0)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    # The co-signature of the approving head binds one version (by its hash): any later change of
    # the plan before the start needs a new co-signature.
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("co-signed by"),
    )
    cosigned_at = models.DateTimeField(_("co-signed at"), null=True, blank=True)
    cosigned_version = models.PositiveIntegerField(_("co-signed version"), null=True, blank=True)
    cosigned_hash = models.CharField(_("co-signed hash"), max_length=64, blank=True)

    # Progress-report periods [{"period", "start", "end", "due"}], computed from the dates and the
    # cadence whenever they change (stored, like the proposal's decision due date).
    schedule = models.JSONField(_("reporting schedule"), default=list, blank=True)
    next_report_period = models.PositiveIntegerField(null=True, blank=True)
    next_report_due = models.DateField(_("next progress report due"), null=True, blank=True)

    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_early = models.BooleanField(_("terminated early"), default=False)
    final_report_due = models.DateField(_("final report due"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        permissions = [(MONITOR_PERMISSION, _("Can monitor the pilot"))]
        indexes = [
            models.Index(fields=["next_report_due"]),
            models.Index(fields=["final_report_due"]),
        ]

    def __str__(self):
        return f"{self.proposal_id} v{self.version}"

    def get_absolute_url(self):
        return pk_url("pilots:detail", self.proposal_id)

    @property
    def is_cosigned(self) -> bool:
        """Co-signed, and the co-signature covers the plan as it stands now."""
        return bool(self.cosigned_hash) and self.cosigned_hash == self.content_hash


class PlanMonitor(UserObjectPermissionBase):
    """django-guardian's per-object grants for plans, with a real foreign key (fast joins)."""

    content_object = models.ForeignKey(
        ImplementationPlan, on_delete=models.CASCADE, related_name="user_grants"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("plan permission")
        verbose_name_plural = _("plan permissions")


class PlanVersion(models.Model):
    """The plan as it stood after a change, frozen, with the SHA-256 of its content."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    content = models.JSONField(_("content"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    reason = models.CharField(_("reason"), max_length=32)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version"),
        ]
        triggers = [append_only("plan_version_frozen")]

    def __str__(self):
        return f"{self.plan_id} v{self.number}"


class Milestone(models.Model):
    plan = models.ForeignKey(
        ImplementationPlan, on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("milestone"), max_length=300)
    due_date = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.name


class Kpi(models.Model):
    """A key performance indicator (chỉ tiêu). A KPI that already has reported values is retired,
    not deleted, when an adjustment removes it, so the reports keep their meaning."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("KPI"), max_length=200)
    unit = models.CharField(_("unit of measure"), max_length=50)
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(_("removed from the plan"), default=False)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.name} ({self.unit})"


class ProgressReport(models.Model):
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.PROTECT, related_name="reports")
    period = models.PositiveIntegerField(_("period"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    narrative = models.TextField(_("narrative"))
    late = models.BooleanField(_("filed late"), default=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["plan_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="one_report_per_period"),
        ]

    def __str__(self):
        return f"{self.plan_id} #{self.period}"


class KpiValue(models.Model):
    """A value reported for one KPI: in a progress report or in the final report."""

    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="values")
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, null=True, blank=True, related_name="values"
    )
    final_report = models.ForeignKey(
        "FinalReport", on_delete=models.CASCADE, null=True, blank=True, related_name="values"
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        ordering = ["kpi__position", "kpi_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, final_report__isnull=True)
                | models.Q(report__isnull=True, final_report__isnull=False),
                name="kpi_value_in_one_report",
            ),
            models.UniqueConstraint(fields=["report", "kpi"], name="one_value_per_report_kpi"),
            models.UniqueConstraint(fields=["final_report", "kpi"], name="one_value_per_final_kpi"),
        ]

    def __str__(self):
        return f"{self.kpi_id}: {self.value}"


def report_attachment_path(instance, filename):
    return f"pilots/{instance.report.plan.proposal_id}/{instance.token}{instance.extension}"


class ReportAttachment(StoredUpload):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=report_attachment_path, max_length=255)

    class Meta(StoredUpload.Meta):
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")


class Inspection(models.Model):
    plan = models.ForeignKey(
        ImplementationPlan, on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspector"),
    )
    date = models.DateField(_("date of the inspection"))
    findings = models.TextField(_("findings"))
    recommendations = models.TextField(_("recommendations"), blank=True)
    assessment = models.CharField(_("assessment"), max_length=16, choices=Assessment.choices)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.plan_id} {self.date}"


class Adjustment(models.Model):
    """A change of dates, KPIs or resources requested by an author, decided by the head."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    plan = models.ForeignKey(
        ImplementationPlan, on_delete=models.PROTECT, related_name="adjustments"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reasons = models.TextField(_("reasons"))
    # Only the parts that change, in the canonical form of the plan content (dates as ISO strings,
    # numbers as strings): {"start_date", "end_date", "milestones", "kpis", "resources": {...}}.
    changes = models.JSONField(_("changes"))
    based_on_version = models.PositiveIntegerField(_("based on plan version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons of the decision"), blank=True)
    resulting_version = models.PositiveIntegerField(_("resulting plan version"), null=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status="pending"),
                name="one_pending_adjustment",
            ),
        ]

    def __str__(self):
        return f"{self.plan_id} — {self.get_status_display()}"


class FinalReport(models.Model):
    """The truthful report on the results, due 5 working days after the work ends."""

    plan = models.OneToOneField(
        ImplementationPlan, on_delete=models.PROTECT, related_name="final_report"
    )
    report = models.TextField(_("final report"))
    due_date = models.DateField(_("due date"))
    late = models.BooleanField(_("filed late"), default=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")

    def __str__(self):
        return f"{self.plan_id}"
