"""Official documents of a proposal: the list, and each document's PDF and DOCX."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.views import APIView

from kl14.api import error_responses as errors

from .models import OfficialDocument
from .permissions import access_documents
from .selectors import documents_of
from .serializers import OfficialDocumentSerializer
from .views import CONTENT_TYPES, download

TAG = ["documents"]
PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
DOCUMENT_ID = OpenApiParameter(
    "document_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The document's id."
)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class DocumentListView(generics.GenericAPIView):
    serializer_class = OfficialDocumentSerializer
    queryset = OfficialDocument.objects.none()
    filter_backends: list = []

    @extend_schema(
        summary="Official documents of the proposal",
        description=(
            "Every decision with legal effect issues a numbered document (Decree 30/2020 format; "
            "the Party's format for Party committees). `status` is `pending` until a worker has "
            "rendered and signed it, then `issued` with the SHA-256 of each file, as recorded in "
            "the ledger entry `issue_seq`."
        ),
        responses={200: OfficialDocumentSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = access_documents(request.user, pk)
        queryset = documents_of(proposal).select_related(
            "unit", "signer", "decision_entry", "issue_entry"
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class _FileView(APIView):
    fmt = ""

    def get(self, request, pk, document_pk):
        return download(request.user, pk, document_pk, self.fmt)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID, DOCUMENT_ID])
class DocumentPdfView(_FileView):
    fmt = "pdf"

    @extend_schema(
        summary="The signed PDF of an official document",
        description=(
            "PAdES-signed; its SHA-256 is in the `X-Document-SHA256` header and the ledger."
        ),
        responses={
            (200, CONTENT_TYPES["pdf"]): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF."
            ),
            **errors(401, 404, 409),
        },
    )
    def get(self, request, pk, document_pk):
        return super().get(request, pk, document_pk)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID, DOCUMENT_ID])
class DocumentDocxView(_FileView):
    fmt = "docx"

    @extend_schema(
        summary="The DOCX of an official document",
        description="The same text as the PDF, editable; the signed PDF is the original.",
        responses={
            (200, CONTENT_TYPES["docx"]): OpenApiResponse(
                OpenApiTypes.BINARY, description="The DOCX."
            ),
            **errors(401, 404, 409),
        },
    )
    def get(self, request, pk, document_pk):
        return super().get(request, pk, document_pk)
