"""The API of the implementation stage (api.md style): the plan, its versions and co-signature,
progress reports, inspections, adjustments, the final report, and the lists of pilots.

Each view first reads the proposal through `access_pilot` (404 when not visible or not in the
implementation stage). Writes check the role (403) and the state (409) before the input (400), in
the services' order, then call the one service that does the work, which checks it all again
under a row lock. The transitions (`start` … `submit_final_report`) are fired through the
proposals API: `POST /proposals/{id}/transitions/{name}/`."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors
from kl14.errors import Conflict, Forbidden, NotFound
from proposals.models import Proposal, State
from proposals.permissions import is_author, is_supervising_head

from . import permissions as perms
from . import selectors, services
from .models import (
    Adjustment,
    ImplementationPlan,
    Inspection,
    KpiValue,
    PlanMonitor,
    ProgressReport,
)
from .serializers import (
    AdjustmentInput,
    AdjustmentSerializer,
    DecisionInput,
    FinalReportSerializer,
    InspectionInput,
    InspectionSerializer,
    PilotSummarySerializer,
    PlanInput,
    PlanSerializer,
    PlanVersionSerializer,
    ReportInput,
    ReportSerializer,
)

PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
ADJUSTMENT_ID = OpenApiParameter(
    "aid", OpenApiTypes.INT, OpenApiParameter.PATH, description="The adjustment's id."
)
TAG = ["pilots"]


def _require(allowed: bool):
    if not allowed:
        raise Forbidden()


def _require_state(proposal, states, message):
    if proposal.state not in states:
        raise Conflict(message, code="wrong_state")


def _plan_queryset():
    return ImplementationPlan.objects.select_related(
        "proposal", "proposal__home_unit", "cosigned_by"
    ).prefetch_related(
        "milestones",
        "kpis",
        Prefetch("user_grants", queryset=PlanMonitor.objects.select_related("user")),
    )


def _plan_answer(proposal, *, status_code=status.HTTP_200_OK):
    plan = _plan_queryset().get(proposal=proposal)
    return Response(PlanSerializer(plan).data, status=status_code)


class PilotSubresource:
    def get_proposal(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = perms.access_pilot(self.request.user, self.kwargs["pk"])
        return self._proposal

    def get_plan(self) -> ImplementationPlan:
        plan = perms.plan_of(self.get_proposal())
        if plan is None:
            raise NotFound(_("This proposal has no implementation plan yet."))
        return plan


# --- the plan ---------------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class PlanView(PilotSubresource, APIView):
    @extend_schema(
        summary="The implementation plan",
        description=(
            "Dates, milestones, KPIs, resources, monitors, risk declaration and its "
            "co-signature, the reporting schedule and the deadlines. 404 until the plan exists."
        ),
        responses={200: PlanSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        self.get_plan()
        return _plan_answer(self.get_proposal())

    @extend_schema(
        summary="Prepare or revise the plan (head of the home unit, while approved)",
        description=(
            "Replaces the whole plan. A change freezes a new version (canonical JSON and its "
            "SHA-256, in the ledger); a co-signature covers the version it was given to. Answers "
            "201 when the plan is created."
        ),
        request=PlanInput,
        responses={
            200: PlanSerializer,
            201: PlanSerializer,
            **errors(400, 401, 403, 404, 409),
        },
    )
    def put(self, request, pk):
        proposal = self.get_proposal()
        _require(is_supervising_head(request.user, proposal))
        _require_state(
            proposal,
            (State.APPROVED,),
            _("The plan can only be prepared while the proposal is approved and not started."),
        )
        serializer = PlanInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        existed = perms.plan_of(proposal) is not None
        services.plan_save(proposal=proposal, actor=request.user, **serializer.validated_data)
        return _plan_answer(
            proposal, status_code=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class PlanVersionListView(PilotSubresource, generics.ListAPIView):
    serializer_class = PlanVersionSerializer
    queryset = ImplementationPlan.objects.none()

    def get_queryset(self):
        return self.get_plan().versions.select_related("created_by").order_by("number")

    @extend_schema(
        summary="Every version of the plan with its content and SHA-256",
        responses={200: PlanVersionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class PlanCosignView(PilotSubresource, APIView):
    @extend_schema(
        summary="Co-sign the risk declaration (the head who approved the proposal)",
        description="Co-signs the current version of the complete plan; recorded in the ledger.",
        request=None,
        responses={200: PlanSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = self.get_proposal()
        services.plan_cosign(proposal=proposal, actor=request.user)
        return _plan_answer(proposal)


# --- progress reports -------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ReportListView(PilotSubresource, generics.ListCreateAPIView):
    serializer_class = ReportSerializer
    queryset = ProgressReport.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            ProgressReport.objects.filter(plan=self.get_plan())
            .select_related("filed_by")
            .prefetch_related(
                Prefetch("values", queryset=KpiValue.objects.select_related("kpi")),
                "attachments",
            )
            .order_by("period")
        )

    @extend_schema(
        summary="The progress reports",
        responses={200: ReportSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="File a progress report (an author, while in progress)",
        description=(
            "JSON, or multipart/form-data with files in `attachments` and `kpi_values` as a JSON "
            "string. A value for a KPI that is not in the plan is refused (400). A report filed "
            "after its due date is flagged `late`."
        ),
        request={"application/json": ReportInput, "multipart/form-data": ReportInput},
        responses={201: ReportSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        _require(is_author(request.user, proposal))
        _require_state(
            proposal,
            (State.IN_PROGRESS,),
            _("Progress reports are filed while the work is in progress."),
        )
        data = request.data
        if hasattr(data, "getlist"):
            data = {
                **{k: data.get(k) for k in data if k != "attachments"},
                "attachments": request.FILES.getlist("attachments"),
            }
        serializer = ReportInput(data=data)
        serializer.is_valid(raise_exception=True)
        report = services.report_file(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        report = self.get_queryset().get(pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- inspections ------------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class InspectionListView(PilotSubresource, generics.ListCreateAPIView):
    serializer_class = InspectionSerializer
    queryset = Inspection.objects.none()

    def get_queryset(self):
        return selectors.inspections_of(self.get_plan())

    @extend_schema(
        summary="The inspections, newest first",
        responses={200: InspectionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record an inspection (a monitor, while the work runs or is suspended)",
        request=InspectionInput,
        responses={201: InspectionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        _require(perms.is_monitor(request.user, perms.plan_of(proposal), proposal))
        _require_state(
            proposal,
            perms.RUNNING_STATES,
            _("Inspections are recorded while the work runs or is suspended."),
        )
        serializer = InspectionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        inspection = services.inspection_record(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


# --- adjustments ------------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class AdjustmentListView(PilotSubresource, generics.ListCreateAPIView):
    serializer_class = AdjustmentSerializer
    queryset = Adjustment.objects.none()

    def get_queryset(self):
        return selectors.adjustments_of(self.get_plan())

    @extend_schema(
        summary="The adjustments of the plan, newest first",
        responses={200: AdjustmentSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Request an adjustment (an author, while the work runs or is suspended)",
        description=(
            "Changes of dates, milestones, KPIs or resources with reasons. Only what differs "
            "from the plan is kept; nothing different is a 400. One request awaits the decision "
            "at a time (409)."
        ),
        request=AdjustmentInput,
        responses={201: AdjustmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        _require(is_author(request.user, proposal))
        _require_state(
            proposal,
            perms.RUNNING_STATES,
            _("The plan can be adjusted while the work runs or is suspended."),
        )
        serializer = AdjustmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        adjustment = services.adjustment_request(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        return Response(AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG, parameters=[ADJUSTMENT_ID])
class AdjustmentDecisionView(APIView):
    decision = ""

    @extend_schema(
        request=DecisionInput,
        responses={200: AdjustmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, aid):
        adjustment = perms.access_adjustment(request.user, aid)
        serializer = DecisionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = (
            services.adjustment_approve
            if self.decision == "approve"
            else services.adjustment_reject
        )
        adjustment = service(
            adjustment=adjustment,
            actor=request.user,
            reasons=serializer.validated_data.get("reasons", ""),
        )
        adjustment = Adjustment.objects.select_related("plan", "requested_by", "decided_by").get(
            pk=adjustment.pk
        )
        return Response(AdjustmentSerializer(adjustment).data)


class AdjustmentApproveView(AdjustmentDecisionView):
    decision = "approve"

    @extend_schema(
        summary="Approve an adjustment (head of the home unit): a new plan version",
        request=DecisionInput,
        responses={200: AdjustmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, aid):
        return super().post(request, aid)


class AdjustmentRejectView(AdjustmentDecisionView):
    decision = "reject"

    @extend_schema(
        summary="Reject an adjustment with reasons (head of the home unit)",
        request=DecisionInput,
        responses={200: AdjustmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, aid):
        return super().post(request, aid)


# --- the final report -------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class FinalReportView(PilotSubresource, APIView):
    @extend_schema(
        summary="The final report (submitted with the transition `submit_final_report`)",
        responses={200: FinalReportSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        final = selectors.final_report_of(self.get_plan())
        if final is None:
            raise NotFound(_("The final report has not been submitted yet."))
        return Response(FinalReportSerializer(final).data)


# --- lists ------------------------------------------------------------------------------------


class _PilotList(generics.ListAPIView):
    serializer_class = PilotSummarySerializer
    queryset = Proposal.objects.none()
    selector = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return type(self).selector(self.request.user)


@extend_schema(tags=TAG)
class MonitoredListView(_PilotList):
    selector = staticmethod(selectors.pilots_monitored_by)

    @extend_schema(
        summary="Pilots I monitor (inspectors)",
        description="The pilots whose plan names you as a monitor, inside your subtree.",
        responses={200: PilotSummarySerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG)
class UnitListView(_PilotList):
    selector = staticmethod(selectors.pilots_of_units)

    @extend_schema(
        summary="Pilots of my units (heads)",
        description=(
            "Approved proposals of the units you head, from the plan to prepare to the final "
            "report, with their deadlines."
        ),
        responses={200: PilotSummarySerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG)
class MineListView(_PilotList):
    selector = staticmethod(selectors.pilots_authored_by)

    @extend_schema(
        summary="Pilots I implement (authors)",
        responses={200: PilotSummarySerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
