"""The review stage's API (api.md: "recognition and the lessons library get their own endpoints
under /proposals/{id}/... and /lessons/"). The transitions themselves (evaluate,
decide_responsibility, refer_abuse, conclude_abuse, institutionalize) are fired through
`POST /proposals/{id}/transitions/{name}/`. Recognition and replication are proposed by the
organization board and decided by the competent authority (board_request_api.py): no endpoint
grants or directs them directly."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from exports.api import accepted as export_accepted
from exports.serializers import ExportJobSerializer
from exports.services import export_file_or_request
from exports.views import download_response
from kl14.api import AutoSchema, ErrorSerializer
from kl14.api import error_responses as errors
from kl14.dbrouter import replica_reads
from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from kl14.files import private_download
from proposals.models import Proposal, State
from proposals.permissions import access_proposal, is_eligible_voter
from proposals.selectors import voting_collective
from proposals.uploads import ALLOWED_TYPES

from . import dossier as dossiers
from . import permissions as perms
from . import services
from .evaluation import carried_outcome, evaluation_ballot_cast, evaluation_ballots, outcome_counts
from .forms import PeriodForm, read_pdf_upload
from .models import EvaluationMinutes, Recognition
from .selectors import (
    abuse_cases,
    adoption_comparison,
    lesson_detail_queryset,
    lesson_keys,
    lessons_in_order,
    lessons_published,
    recognitions_in_subtree,
    review_record,
)
from .serializers import (
    AbuseCaseSerializer,
    AbuseExplanationInputSerializer,
    AbuseExplanationSerializer,
    BallotInputSerializer,
    CheckSerializer,
    ComparisonSerializer,
    DashboardSerializer,
    EvaluationVoteSerializer,
    LessonDetailSerializer,
    LessonFilterSerializer,
    LessonPublishSerializer,
    LessonSerializer,
    PeriodQuerySerializer,
    RecognitionSerializer,
    ReviewSerializer,
    VerifyInputSerializer,
)
from .stats import dashboard

PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
TAG = ["reviews"]
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="The PDF.")
XLSX = OpenApiResponse(OpenApiTypes.BINARY, description="The spreadsheet (or the PDF).")
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as uploaded.")


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


def _evaluation_vote(request, proposal) -> dict:
    """The collective's vote on the outcome as this user may see it (secret while open)."""
    user = request.user
    sees_ballots = perms.sees_evaluation_ballots(user, proposal)
    voting = proposal.state == State.EVALUATING
    counts = voting and perms.sees_evaluation_tally(user, proposal)
    ballots = evaluation_ballots(proposal) if voting and sees_ballots else ()
    return EvaluationVoteSerializer(
        {
            "open": voting,
            "secret": not sees_ballots,
            "eligible": len(voting_collective(proposal).eligible),
            "counts": outcome_counts(proposal) if counts else None,
            "carried": carried_outcome(proposal) if counts else None,
            "my_ballot": next((b.choice for b in ballots if b.voter_id == user.pk), None),
            "can_vote": perms.can_cast_evaluation_ballot(user, proposal),
            "ballots": ballots,
        }
    ).data


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class EvaluationVoteView(APIView):
    @extend_schema(
        summary="The collective's vote on the outcome of the evaluation",
        description=(
            "Decree 73, Art. 18: the head and deputies of the deciding unit who are not authors "
            "vote on the outcome (achieved, partial, not_achieved, damage, or abstain) while the "
            "results are being evaluated. An outcome passes as the decision vote does: more than "
            "half of the eligible members for it; at exactly half, when the head is among them. "
            "The ballots are secret while open: anyone else sees that voting is under way "
            "(`secret`, null counts). Once the evaluation is recorded, its `tally` (in "
            "`GET /proposals/{id}/review/`) gives the counts, never names."
        ),
        responses={200: EvaluationVoteSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        return Response(_evaluation_vote(request, _proposal(request, pk)))

    @extend_schema(
        summary="Cast or change your ballot on the outcome",
        description="One ledger entry (`evaluation_vote`), secret to those outside the collective.",
        request=BallotInputSerializer,
        responses={200: EvaluationVoteSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        if not is_eligible_voter(request.user, proposal):
            raise Forbidden()
        if proposal.state != State.EVALUATING:
            raise Conflict(
                _("Ballots on the outcome are cast only while the results are being evaluated."),
                code="wrong_state",
            )
        serializer = BallotInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation_ballot_cast(proposal=proposal, actor=request.user, **serializer.validated_data)
        return Response(_evaluation_vote(request, _proposal(request, pk)))


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class EvaluationMinutesView(APIView):
    @extend_schema(
        summary="The minutes of the evaluation meeting",
        description="The file uploaded with the evaluation; its SHA-256 is in the ledger entry.",
        responses={
            **{(200, media): FILE for media in sorted(set(ALLOWED_TYPES.values()))},
            **errors(401, 404),
        },
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        minutes = EvaluationMinutes.objects.filter(evaluation__proposal=proposal).first()
        if minutes is None:
            raise NotFound()
        return private_download(
            minutes.file, filename=minutes.original_name, content_type=minutes.content_type
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class RecognitionListView(generics.GenericAPIView):
    schema = AutoSchema()
    serializer_class = RecognitionSerializer
    queryset = Recognition.objects.none()
    filter_backends: list = []

    @extend_schema(
        summary="Recognition of the proposal's authors",
        description=(
            "Decree 73, Art. 10. Granted only when the competent authority approves an "
            "organization board's request (`POST /proposals/{id}/requests/`, then "
            "`POST /requests/{id}/decision/`)."
        ),
        responses={200: RecognitionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        queryset = proposal.recognitions.select_related(
            "proposal", "recipient", "unit", "granted_by"
        ).order_by("-created_at", "pk")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RecognitionSerializer(page, many=True).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class AdoptionsView(APIView):
    @extend_schema(
        summary="The adoptions of a replicated model and their results",
        description=(
            "The source and every proposal replicated from it that you may see, with their "
            "states, evaluated outcomes and, when the pilots recorded them, the final value of "
            "each KPI. `hidden` counts the adoptions in units outside your reach."
        ),
        responses={200: ComparisonSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        source = _proposal(request, pk)
        return Response(ComparisonSerializer(adoption_comparison(source, request.user)).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class LessonPublicationView(APIView):
    @extend_schema(
        summary="Publish to the lessons library",
        description=(
            "By the head of the deciding unit, once the results were evaluated. Every signed-in "
            "user can then read the lesson (problem, solution, results and causes, lessons "
            "learned), not the rest of the proposal. Publishing again replaces the lessons text."
        ),
        request=LessonPublishSerializer,
        responses={200: LessonDetailSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        if not perms.may_publish_lesson(request.user, proposal):
            raise Forbidden()
        serializer = LessonPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lesson_publish(proposal=proposal, actor=request.user, **serializer.validated_data)
        return Response(_lesson_detail(request, pk))

    @extend_schema(
        summary="Remove from the lessons library",
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    def delete(self, request, pk):
        services.lesson_unpublish(proposal=_proposal(request, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class AbuseCaseListView(APIView):
    @extend_schema(
        summary="The proposal's abuse cases",
        description=(
            "Newest first: who referred it, the grounds and evidence, the deadline and the "
            "authors' explanations (giải trình), and the finding of the inspection of the "
            "superior unit. Opened by `refer_abuse`, closed by `conclude_abuse`."
        ),
        responses={200: AbuseCaseSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        return Response(AbuseCaseSerializer(abuse_cases(proposal), many=True).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class AbuseExplanationView(APIView):
    @extend_schema(
        summary="Explain in the open abuse case (an author, once, before the deadline)",
        request=AbuseExplanationInputSerializer,
        responses={201: AbuseExplanationSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        explanation = services.abuse_explain(
            proposal=proposal, actor=request.user, text=request.data.get("text")
        )
        return Response(
            AbuseExplanationSerializer(explanation).data, status=status.HTTP_201_CREATED
        )


def _file_or_job(request, kind, params):
    """The old download addresses, for scripts: the file when the same export is ready (200),
    else the export job that builds it (202 with its address in Location: poll it, or GET this
    address again). Never built in the request."""
    job = export_file_or_request(actor=request.user, kind=kind, params=params)
    return download_response(job) if job.is_done else export_accepted(request, job)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class DossierView(APIView):
    @extend_schema(
        summary="The protection dossier (PDF), built by a worker",
        description=(
            "The proposal, every version's hash, every decision, vote and opinion, the reports "
            "and the whole ledger with its chain head, under a verification code (also in the "
            "`X-Verification-Code` header). Issuing is not a ledger event. The dossier is built "
            "by a worker: the first call answers 202 with the export job (`Location`); once it "
            "is done, the same call answers the PDF, until the ledger moves on or the file "
            "expires. Same as `POST /exports/` with `kind` `dossier`."
        ),
        responses={
            (200, PDF_TYPE): PDF,
            202: ExportJobSerializer,
            **errors(401, 404, 409),
        },
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        return _file_or_job(request, "dossier", {"proposal": proposal.pk})


@extend_schema(tags=TAG)
class DossierVerifyView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="Verify a protection dossier",
        description=(
            "Upload the PDF (multipart `file`): its PAdES signature is validated against the "
            "trusted roots, its SHA-256 compared with the documents KL14 issued, and the ledger "
            "recomputed and compared with the chain head the file was issued at (`checked`: "
            "`document`). Or send the verification code: only the record is checked (`checked`: "
            "`record`). A file always gets a 200 with its status; an unknown code is a 404."
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
            try:
                data = read_pdf_upload(upload)
            except DjangoValidationError as error:
                raise Invalid(errors={"file": error.messages}) from None
            return Response(dossiers.dossier_file_check(data).as_dict())
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

    FILTERS = (("query", "q"), ("outcome", "outcome"), ("field", "field"))

    def filters(self) -> dict:
        """The query's filters, as lesson_keys takes them (400 if invalid)."""
        params = LessonFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return {name: params.validated_data.get(key, "") for name, key in self.FILTERS}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return lessons_published()  # the rows; list() finds them by lesson_keys

    @extend_schema(
        summary="The lessons library",
        description=(
            "Evaluated proposals their deciding heads published, newest first. When searching "
            "(PostgreSQL): the lessons holding the words as typed, one after another, first, "
            "then those holding the words most often. `q` ignores case and Vietnamese "
            "diacritics."
        ),
        parameters=[LessonFilterSerializer],
        responses={200: LessonSerializer(many=True), **errors(400, 401)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        """The page is cut on the keys, then only its rows are read (as the library's page)."""
        keys = self.paginate_queryset(lesson_keys(**self.filters()))
        rows = lessons_in_order(lessons_published(), list(keys))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@extend_schema(tags=TAG)
class LessonDetailView(APIView):
    @extend_schema(
        summary="A lesson",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id.")
        ],
        description=(
            "Every signed-in user reads a published lesson; `dossier` (state, authors, "
            "responsibility decision, referral) is filled only for those who may see the whole "
            "proposal."
        ),
        responses={200: LessonDetailSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        return Response(_lesson_detail(request, pk))


def _lesson_detail(request, pk) -> dict:
    proposal = lesson_detail_queryset(request.user).filter(pk=pk).first()
    if proposal is None:
        raise NotFound()
    full = perms.sees_lesson_dossier(request.user, proposal)
    return LessonDetailSerializer(proposal, context={"full": full}).data


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
    @method_decorator(replica_reads())
    def get(self, request):
        unit, period = _board_period(request)
        return Response(DashboardSerializer(dashboard(unit, period)).data)


@extend_schema(tags=TAG)
class PeriodReportView(APIView):
    @extend_schema(
        summary="The period report (sơ kết / tổng kết), built by a worker",
        description=(
            "The dashboard's figures and the lists behind them for a quarter (default: the last "
            "one) or a year, as a spreadsheet (`output=xlsx`, default) or a PDF (`output=pdf`). "
            "Built by a worker: the first call answers 202 with the export job (`Location`); "
            "once it is done, the same call answers the file until it expires. Same as "
            "`POST /exports/` with `kind` `period_report`."
        ),
        parameters=[
            PeriodQuerySerializer,
            OpenApiParameter("output", OpenApiTypes.STR, enum=["xlsx", "pdf"]),
        ],
        responses={
            (200, XLSX_TYPE): XLSX,
            (200, PDF_TYPE): XLSX,
            202: ExportJobSerializer,
            **errors(400, 401, 403, 409),
        },
    )
    def get(self, request):
        fmt = request.query_params.get("output", "xlsx")
        if fmt not in ("xlsx", "pdf"):
            raise Invalid(errors={"output": [_("Choose xlsx or pdf.")]})
        perms.board_subtree_units(request.user)  # 403 before 400, as before
        params = {k: request.query_params.get(k) for k in ("unit", "period", "year", "quarter")}
        params["period"] = params["period"] or "quarter"
        if params["period"] not in ("quarter", "year"):
            raise Invalid(errors={"period": [_("Choose a quarter or a year.")]})
        return _file_or_job(request, "period_report", {**params, "format": fmt})
