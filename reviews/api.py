"""The review stage's API (api.md: "recognition and the lessons library get their own endpoints
under /proposals/{id}/... and /lessons/"). The transitions themselves (evaluate,
decide_responsibility, refer_abuse, replicate, institutionalize) are fired through
`POST /proposals/{id}/transitions/{name}/`."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import ErrorSerializer
from kl14.api import error_responses as errors
from kl14.errors import Forbidden, Invalid, NotFound
from proposals.models import Proposal
from proposals.permissions import access_proposal

from . import dossier as dossiers
from . import permissions as perms
from . import services
from .forms import PeriodForm
from .models import Recognition
from .reports import period_report, period_report_pdf, period_report_xlsx, report_filename
from .selectors import (
    adoption_comparison,
    lesson_detail_queryset,
    lessons_published,
    recognitions_in_subtree,
    review_record,
)
from .serializers import (
    CheckSerializer,
    ComparisonSerializer,
    DashboardSerializer,
    LessonFilterSerializer,
    LessonPublishSerializer,
    LessonSerializer,
    PeriodQuerySerializer,
    RecognitionInputSerializer,
    RecognitionSerializer,
    ReviewSerializer,
    VerifyInputSerializer,
)
from .stats import dashboard

PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
TAG = ["reviews"]
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf")
XLSX = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def _proposal(request, pk) -> Proposal:
    return access_proposal(
        request.user,
        pk,
        queryset=Proposal.objects.select_related("home_unit", "deciding_unit", "origin"),
    )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ReviewView(APIView):
    @extend_schema(
        summary="What the review stage recorded",
        description=(
            "The evaluation, the responsibility decision, a referral for abuse, the regulation "
            "proposed, the lesson, and the due date of the pending step."
        ),
        responses={200: ReviewSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        return Response(ReviewSerializer(review_record(_proposal(request, pk))).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class RecognitionListView(generics.GenericAPIView):
    serializer_class = RecognitionSerializer
    queryset = Recognition.objects.none()
    filter_backends: list = []

    @extend_schema(
        summary="Recognition of the proposal's authors",
        responses={200: RecognitionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        queryset = proposal.recognitions.select_related(
            "proposal", "recipient", "unit", "granted_by"
        ).order_by("-created_at", "pk")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RecognitionSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a recognition",
        description=(
            "Decree 73, Art. 10: praise, reward, excellent rating, priority for appointment or "
            "planning, or a salary raise 12 months early, for some authors or all of them. By the "
            "head of the deciding unit or an organization board of an ancestor-or-self of the "
            "home unit, once the proposal succeeded (succeeded, replicated, institutionalized). "
            "One ledger entry."
        ),
        request=RecognitionInputSerializer,
        responses={201: RecognitionSerializer(many=True), **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        if not perms.may_recognise(request.user, proposal):
            raise Forbidden()
        serializer = RecognitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        records = services.recognition_grant(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        return Response(
            RecognitionSerializer(records, many=True).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class AdoptionsView(APIView):
    @extend_schema(
        summary="The adoptions of a replicated model and their results",
        description=(
            "The source and every proposal replicated from it, with their states, evaluated "
            "outcomes and, when the pilots recorded them, the final value of each KPI."
        ),
        responses={200: ComparisonSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        return Response(ComparisonSerializer(adoption_comparison(_proposal(request, pk))).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class LessonPublicationView(APIView):
    @extend_schema(
        summary="Publish to the lessons library",
        description=(
            "By the head of the deciding unit, once the results were evaluated. Every signed-in "
            "user can then read the proposal with its outcome, causes and responsibility "
            "decision. Publishing again replaces the lessons text."
        ),
        request=LessonPublishSerializer,
        responses={200: LessonSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        if not perms.may_publish_lesson(request.user, proposal):
            raise Forbidden()
        serializer = LessonPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lesson_publish(proposal=proposal, actor=request.user, **serializer.validated_data)
        return Response(LessonSerializer(lesson_detail_queryset(request.user).get(pk=pk)).data)

    @extend_schema(
        summary="Remove from the lessons library",
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    def delete(self, request, pk):
        services.lesson_unpublish(proposal=_proposal(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class DossierView(APIView):
    @extend_schema(
        summary="The protection dossier (PDF)",
        description=(
            "The proposal, every version's hash, every decision, vote and opinion, the reports "
            "and the whole ledger with its chain head, under a verification code (also in the "
            "`X-Verification-Code` header). Issuing is not a ledger event."
        ),
        responses={200: PDF, **errors(401, 404, 409)},
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        issue, verification = services.dossier_issue(proposal=proposal, actor=request.user)
        response = HttpResponse(
            dossiers.dossier_pdf(proposal, issue, verification), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="ho-so-bao-ve-{proposal.code}.pdf"'
        response["X-Verification-Code"] = issue.code
        return response


@extend_schema(tags=TAG)
class DossierVerifyView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="Verify a protection dossier",
        description=(
            "Send the verification code, or upload the PDF (multipart `file`). The ledger is "
            "recomputed and compared with the head recorded when the dossier was issued."
        ),
        request={
            "application/json": VerifyInputSerializer,
            "multipart/form-data": VerifyInputSerializer,
        },
        responses={
            200: CheckSerializer,
            **errors(400, 401),
            404: OpenApiResponse(ErrorSerializer, description="No dossier has this code."),
        },
    )
    def post(self, request):
        serializer = VerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = serializer.validated_data.get("code", "")
        upload = serializer.validated_data.get("file")
        if upload is not None:
            found = (
                dossiers.code_from_pdf(upload.read())
                if upload.size <= dossiers.MAX_UPLOAD
                else None
            )
            if found is None:
                raise Invalid(errors={"file": [_("No verification code was found in this file.")]})
            code = found
        if not code:
            raise Invalid(
                errors={"code": [_("Enter the verification code or choose the PDF file.")]}
            )
        check = dossiers.dossier_check(code)
        if check.issue is None:
            raise NotFound(_("No protection dossier was issued with this code."))
        return Response(check.as_dict())


@extend_schema(tags=TAG)
class LessonListView(generics.ListAPIView):
    serializer_class = LessonSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        params = LessonFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return lessons_published(
            query=params.validated_data.get("q", ""),
            outcome=params.validated_data.get("outcome", ""),
            field=params.validated_data.get("field", ""),
        )

    @extend_schema(
        summary="The lessons library",
        description=(
            "Evaluated proposals their deciding heads published, newest first (best matches "
            "first when searching). `q` ignores case and Vietnamese diacritics."
        ),
        parameters=[LessonFilterSerializer],
        responses={200: LessonSerializer(many=True), **errors(400, 401)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG)
class LessonDetailView(APIView):
    @extend_schema(
        summary="A lesson",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id.")
        ],
        responses={200: LessonSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = lesson_detail_queryset(request.user).filter(pk=pk).first()
        if proposal is None:
            raise NotFound()
        return Response(LessonSerializer(proposal).data)


def _board_period(request, *, require_period=False):
    units = perms.board_subtree_units(request.user)
    params = request.query_params.copy()
    if require_period and not params.get("period"):
        params["period"] = "quarter"
    form = PeriodForm(params, units=units, require_period=require_period)
    if not form.is_valid():
        raise Invalid(errors={k: [str(m) for m in v] for k, v in form.errors.items()})
    unit = form.cleaned_data["unit"] or perms.board_units(request.user).first()
    return unit, form.cleaned_data["the_period"]


@extend_schema(tags=TAG)
class SubtreeRecognitionListView(generics.ListAPIView):
    serializer_class = RecognitionSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        perms.board_subtree_units(self.request.user)  # 403 for anyone but a board
        unit = self.request.query_params.get("unit")
        unit = perms.access_board_unit(self.request.user, unit) if unit else None
        return recognitions_in_subtree(self.request.user, unit)

    @extend_schema(
        summary="Recognised cadres of your subtree",
        description="For organization boards: every recognition in their subtrees, by cadre.",
        parameters=[
            OpenApiParameter(
                "unit", OpenApiTypes.INT, description="Only this unit's subtree (in yours)."
            )
        ],
        responses={200: RecognitionSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG)
class DashboardView(APIView):
    @extend_schema(
        summary="The organization board's figures",
        description=(
            "Proposals by state and unit, decision time against the deadline, approval rate, "
            "outcomes, protection decisions, recognition, replication, for a unit of your "
            "organization boards' subtrees, over all time, a quarter or a year."
        ),
        parameters=[PeriodQuerySerializer],
        responses={200: DashboardSerializer, **errors(400, 401, 403)},
    )
    def get(self, request):
        unit, period = _board_period(request)
        return Response(DashboardSerializer(dashboard(unit, period)).data)


@extend_schema(tags=TAG)
class PeriodReportView(APIView):
    @extend_schema(
        summary="The period report (sơ kết / tổng kết)",
        description=(
            "The dashboard's figures and the lists behind them for a quarter (default: the last "
            "one) or a year, as a spreadsheet (`output=xlsx`, default) or a PDF (`output=pdf`)."
        ),
        parameters=[
            PeriodQuerySerializer,
            OpenApiParameter("output", OpenApiTypes.STR, enum=["xlsx", "pdf"]),
        ],
        responses={(200, "application/octet-stream"): XLSX, **errors(400, 401, 403)},
    )
    def get(self, request):
        fmt = request.query_params.get("output", "xlsx")
        if fmt not in ("xlsx", "pdf"):
            raise Invalid(errors={"output": [_("Choose xlsx or pdf.")]})
        unit, period = _board_period(request, require_period=True)
        report = period_report(unit, period)
        if fmt == "pdf":
            response = HttpResponse(period_report_pdf(report), content_type="application/pdf")
        else:
            response = HttpResponse(
                period_report_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{report_filename(report, fmt)}"'
        return response
