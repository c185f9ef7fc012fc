"""Export jobs over the API: ask for an export (202 and the job), follow its status, download
the file once it is done. The file is built by a worker, never in the request."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors

from . import services
from .models import ExportJob
from .permissions import access_job, job_file
from .selectors import jobs_of
from .serializers import ExportJobSerializer, ExportRequestSerializer
from .views import download_response

TAG = ["exports"]
JOB_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The job.")
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def accepted(request, job) -> Response:
    """202 with the job, its address in Location and a hint of when to ask again."""
    data = ExportJobSerializer(job, context={"request": request}).data
    response = Response(data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = data["url"]
    response["Retry-After"] = "2"
    return response


@extend_schema(tags=TAG)
class ExportJobListView(generics.GenericAPIView):
    serializer_class = ExportJobSerializer
    queryset = ExportJob.objects.none()
    filter_backends: list = []

    @extend_schema(
        summary="Your export jobs, newest first",
        responses={200: ExportJobSerializer(many=True), **errors(401)},
    )
    def get(self, request):
        page = self.paginate_queryset(jobs_of(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Ask for an export",
        description=(
            "`kind` `period_report` (an organization board: `unit`, `period`, `year`, "
            "`quarter`, `format`) or `dossier` (`proposal`: a proposal you can see, not a "
            "draft). Answers 202 with the job and its address in `Location`; poll it until "
            "`status` is `done` (then fetch `file_url`) or `failed` (`error` says why). The same "
            "export asked again while one is under way answers that one. At most "
            "KL14_EXPORT_MAX_IN_FLIGHT under way per person (409 beyond)."
        ),
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = dict(serializer.validated_data)
        kind = params.pop("kind")
        job, _created = services.export_request(actor=request.user, kind=kind, params=params)
        return accepted(request, job)


@extend_schema(tags=TAG, parameters=[JOB_ID])
class ExportJobView(APIView):
    @extend_schema(
        summary="An export job's status and progress",
        responses={200: ExportJobSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        job = access_job(request.user, pk)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


@extend_schema(tags=TAG, parameters=[JOB_ID])
class ExportJobFileView(APIView):
    @extend_schema(
        summary="The file of a finished export job",
        description=(
            "Its SHA-256 is in the `X-Content-SHA256` header (and the job); a dossier's "
            "verification code in `X-Verification-Code`. 409 while it is being prepared or when "
            "it failed; 404 once expired, or when you can no longer see what it holds."
        ),
        responses={
            (200, PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The spreadsheet."),
            **errors(401, 404, 409),
        },
    )
    def get(self, request, pk):
        return download_response(job_file(request.user, pk))
