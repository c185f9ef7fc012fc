"""API representations of the implementation stage (api.md style) and the inputs of its writes."""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from proposals.serializers import UserBriefSerializer
from units.api import UnitBriefSerializer

from .models import (
    Adjustment,
    Assessment,
    Cadence,
    Direction,
    FinalReport,
    ImplementationPlan,
    Inspection,
    Kpi,
    KpiValue,
    Milestone,
    PlanVersion,
    ProgressReport,
    ReportAttachment,
)
from .permissions import plan_of
from .selectors import final_report_overdue, report_overdue
from .transitions import KpiValueInput


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = ["id", "name", "unit", "baseline", "target", "direction", "retired"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "name", "due_date", "done", "done_at"]


class ReportPeriodSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    due = serializers.DateField()


class PlanSerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="proposal_id", read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    kpis = serializers.SerializerMethodField()
    monitors = serializers.SerializerMethodField()
    cosigned_by = UserBriefSerializer(read_only=True, allow_null=True)
    is_cosigned = serializers.BooleanField(read_only=True)
    schedule = ReportPeriodSerializer(many=True, read_only=True)
    report_overdue = serializers.SerializerMethodField()
    final_report_overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ImplementationPlan
        fields = [
            "proposal",
            "url",
            "version",
            "content_hash",
            "start_date",
            "end_date",
            "reporting_cadence",
            "budget_amount",
            "budget_details",
            "people",
            "equipment",
            "risk_declaration",
            "milestones",
            "kpis",
            "monitors",
            "cosigned_by",
            "cosigned_at",
            "cosigned_version",
            "is_cosigned",
            "schedule",
            "next_report_period",
            "next_report_due",
            "report_overdue",
            "started_at",
            "ended_at",
            "ended_early",
            "final_report_due",
            "final_report_overdue",
        ]

    def get_kpis(self, plan) -> list[dict]:
        return KpiSerializer([k for k in plan.kpis.all() if not k.retired], many=True).data

    def get_monitors(self, plan) -> list[dict]:
        return UserBriefSerializer([g.user for g in plan.user_grants.all()], many=True).data

    def get_report_overdue(self, plan) -> bool:
        return report_overdue(plan.proposal, plan)

    def get_final_report_overdue(self, plan) -> bool:
        return final_report_overdue(plan.proposal, plan)

    def get_url(self, plan) -> str:
        return plan.get_absolute_url()


class MilestoneInput(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Keep an existing milestone: its id.")
    )
    name = serializers.CharField(max_length=300)
    due_date = serializers.DateField()


class KpiInput(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Keep an existing KPI: its id.")
    )
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=50)
    baseline = serializers.DecimalField(max_digits=20, decimal_places=4)
    target = serializers.DecimalField(max_digits=20, decimal_places=4)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.HIGHER)


class PlanInput(serializers.Serializer):
    """The whole plan: fields left out are emptied. Rows sent without an id keep the identity of
    the existing row of the same name."""

    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    reporting_cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.MONTHLY)
    budget_amount = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text=_("In đồng.")
    )
    budget_details = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    people = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    equipment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    risk_declaration = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    milestones = serializers.ListField(child=MilestoneInput(), required=False, max_length=50)
    kpis = serializers.ListField(child=KpiInput(), required=False, max_length=50)
    monitors = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("User ids of inspectors of the home unit or of a unit above it."),
    )


class PlanVersionSerializer(serializers.ModelSerializer):
    created_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = PlanVersion
        fields = ["number", "reason", "content_hash", "content", "created_at", "created_by"]


class KpiValueSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField(source="kpi.unit")

    class Meta:
        model = KpiValue
        fields = ["kpi", "name", "unit", "value"]


class ReportAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = ReportAttachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


class ReportSerializer(serializers.ModelSerializer):
    filed_by = UserBriefSerializer(read_only=True)
    kpi_values = KpiValueSerializer(source="values", many=True, read_only=True)
    attachments = ReportAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "period",
            "period_start",
            "period_end",
            "due_date",
            "late",
            "narrative",
            "kpi_values",
            "attachments",
            "filed_by",
            "filed_at",
        ]


class KpiValuesField(serializers.ListField):
    """A list of {kpi, value}; in a multipart body, the same list as a JSON string."""

    child = KpiValueInput()

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else []
            except ValueError:
                raise serializers.ValidationError(
                    _('Give a JSON list such as [{"kpi": 1, "value": "12.5"}].')
                ) from None
        return super().to_internal_value(data)


class ReportInput(serializers.Serializer):
    period = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The period reported on; by default the earliest one without a report."),
    )
    narrative = serializers.CharField(max_length=20000)
    kpi_values = KpiValuesField(required=False, help_text=_("Values for KPIs of the plan."))
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=10
    )


class InspectionSerializer(serializers.ModelSerializer):
    inspector = UserBriefSerializer(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "date",
            "findings",
            "recommendations",
            "assessment",
            "inspector",
            "created_at",
        ]


class InspectionInput(serializers.Serializer):
    date = serializers.DateField()
    findings = serializers.CharField(max_length=20000)
    recommendations = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    assessment = serializers.ChoiceField(choices=Assessment.choices)


class AdjustmentSerializer(serializers.ModelSerializer):
    requested_by = UserBriefSerializer(read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    proposal = serializers.IntegerField(source="plan.proposal_id", read_only=True)

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "proposal",
            "status",
            "reasons",
            "changes",
            "based_on_version",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reasons",
            "resulting_version",
        ]


class AdjustmentChanges(serializers.Serializer):
    """Any of these; only what differs from the plan is kept."""

    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    milestones = serializers.ListField(child=MilestoneInput(), required=False, max_length=50)
    kpis = serializers.ListField(child=KpiInput(), required=False, max_length=50)
    budget_amount = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    budget_details = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    people = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    equipment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class AdjustmentInput(serializers.Serializer):
    reasons = serializers.CharField(max_length=5000)
    changes = AdjustmentChanges()


class DecisionInput(serializers.Serializer):
    reasons = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("Required to reject.")
    )


class FinalReportSerializer(serializers.ModelSerializer):
    filed_by = UserBriefSerializer(read_only=True)
    kpi_values = KpiValueSerializer(source="values", many=True, read_only=True)

    class Meta:
        model = FinalReport
        fields = ["report", "kpi_values", "due_date", "late", "filed_by", "filed_at"]


class PilotSummarySerializer(serializers.Serializer):
    """A proposal in the implementation stage, for the lists."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    mode = serializers.CharField()
    home_unit = UnitBriefSerializer()
    url = serializers.SerializerMethodField()
    plan_version = serializers.SerializerMethodField()
    start_date = serializers.SerializerMethodField()
    end_date = serializers.SerializerMethodField()
    next_report_due = serializers.SerializerMethodField()
    report_overdue = serializers.SerializerMethodField()
    final_report_due = serializers.SerializerMethodField()
    final_report_overdue = serializers.SerializerMethodField()
    last_assessment = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text=_("The assessment of the latest inspection: good, concerns or serious."),
    )

    def _plan(self, proposal):
        return plan_of(proposal)

    def _field(self, proposal, name):
        plan = self._plan(proposal)
        return getattr(plan, name) if plan else None

    def get_url(self, proposal) -> str:
        return reverse("pilots:detail", args=[proposal.pk])

    def get_plan_version(self, proposal) -> int | None:
        return self._field(proposal, "version")

    def get_start_date(self, proposal) -> str | None:
        value = self._field(proposal, "start_date")
        return value.isoformat() if value else None

    def get_end_date(self, proposal) -> str | None:
        value = self._field(proposal, "end_date")
        return value.isoformat() if value else None

    def get_next_report_due(self, proposal) -> str | None:
        value = self._field(proposal, "next_report_due")
        return value.isoformat() if value else None

    def get_final_report_due(self, proposal) -> str | None:
        value = self._field(proposal, "final_report_due")
        return value.isoformat() if value else None

    def get_report_overdue(self, proposal) -> bool:
        return report_overdue(proposal, self._plan(proposal))

    def get_final_report_overdue(self, proposal) -> bool:
        return final_report_overdue(proposal, self._plan(proposal))
