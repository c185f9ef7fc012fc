"""The dossier: proposals (list, create, read, edit, delete) and their attachments."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors
from kl14.errors import NotFound
from kl14.files import private_download
from kl14.keyset import KeysetPaginator

from .. import permissions as perms
from .. import services
from ..filters import ProposalFilter
from ..models import EDITABLE_STATES, Attachment, Proposal
from ..selectors import proposals_of_page
from ..serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ProposalSerializer,
    ProposalSummarySerializer,
    ProposalUpdateSerializer,
)
from ..uploads import ALLOWED_TYPES
from .common import (
    ATTACHMENT_ID,
    PROPOSAL_ID,
    TAG,
    ProposalSubresource,
    answer,
    require,
    visible,
    wrong_state,
)

# --- proposals -----------------------------------------------------------------------------------


class ProposalListView(generics.ListCreateAPIView):
    queryset = Proposal.objects.none()
    filterset_class = ProposalFilter

    def get_queryset(self):
        """Every proposal, to be filtered: the pagination keeps only the visible ones, one
        index-backed branch of the visibility rule at a time (kl14.keyset)."""
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return Proposal.objects.order_by("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        paginator = KeysetPaginator(
            request,
            self.filter_queryset(self.get_queryset()),
            branches=perms.visible_branches(request.user),
            fetch=proposals_of_page,
        )
        return Response(
            paginator.response_data(
                lambda rows: self.get_serializer(rows, many=True).data,
            )
        )

    def get_serializer_class(self):
        return ProposalSerializer if self.request.method == "POST" else ProposalSummarySerializer

    @extend_schema(
        tags=TAG,
        summary="List the proposals visible to you",
        description=(
            "Summaries (without the plan's long texts), newest first unless `ordering` says "
            "otherwise. Paginated by cursor: follow `next` and `previous` (`page_size` at most "
            "100); `page` still numbers pages. `count` is exact up to 1000; beyond, it says 1000 "
            "and `count_capped` is true."
        ),
        responses={200: ProposalSummarySerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        summary="Create a draft",
        description=(
            "A new draft in `home_unit`, a unit where you are a member. Only its authors see a "
            "draft until it is submitted."
        ),
        request=ProposalSerializer,
        responses={201: ProposalSerializer, **errors(400, 401)},
    )
    def post(self, request, *args, **kwargs):
        serializer = ProposalSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_create(
            actor=request.user,
            home_unit=serializer.validated_data["home_unit"],
            co_authors=serializer.validated_data.get("co_authors", ()),
            author_posts=serializer.posts(),
            **serializer.dossier(),
        )
        response = answer(request, proposal, status_code=status.HTTP_201_CREATED)
        # A plain str: the serializer's `url` is a DRF Hyperlink (a str subclass), which a real
        # WSGI server refuses as a header value (500 after the row was written).
        response["Location"] = request.build_absolute_uri(
            reverse("api:proposal-detail", args=[proposal.pk])
        )
        return response


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ProposalDetailView(APIView):
    @extend_schema(
        summary="Read a proposal",
        responses={200: ProposalSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = visible(request, pk)
        return Response(ProposalSerializer(proposal, context={"request": request}).data)

    @extend_schema(
        summary="Edit a draft or returned proposal (authors)",
        description="Send only the fields to change. `co_authors`, when sent, replaces the list.",
        request=ProposalUpdateSerializer,
        responses={200: ProposalSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, pk):
        proposal = visible(request, pk)
        require(perms.is_author(request.user, proposal))
        if proposal.state not in EDITABLE_STATES:
            raise wrong_state(_("Only a draft or a returned proposal can be edited."))
        serializer = ProposalUpdateSerializer(
            proposal, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_update(
            proposal=proposal,
            actor=request.user,
            co_authors=serializer.validated_data.get("co_authors"),
            author_posts=serializer.posts(),
            **serializer.dossier(),
        )
        return answer(request, proposal)

    @extend_schema(
        summary="Delete a draft that was never submitted (authors)",
        request=None,
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    def delete(self, request, pk):
        proposal = visible(request, pk)
        services.proposal_delete(proposal=proposal, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- attachments ---------------------------------------------------------------------------------


def _attachment(proposal, aid) -> Attachment:
    attachment = Attachment.objects.filter(proposal=proposal, pk=aid).first()
    if attachment is None:
        raise NotFound()
    attachment.proposal = proposal
    return attachment


def _require_attachments_editable(request, proposal):
    require(perms.is_author(request.user, proposal))
    if proposal.state not in EDITABLE_STATES:
        raise wrong_state(
            _("Attachments can only change while the proposal is a draft or returned.")
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class AttachmentListView(ProposalSubresource, generics.ListCreateAPIView):
    queryset = Attachment.objects.none()
    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            Attachment.objects.filter(proposal=self.get_proposal())
            .select_related("uploaded_by")
            .order_by("uploaded_at", "pk")
        )

    @extend_schema(
        summary="The proposal's attachments",
        responses={200: AttachmentSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Attach a file (authors, while draft or returned)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **errors(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        _require_attachments_editable(request, proposal)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            proposal=proposal, actor=request.user, uploaded=serializer.validated_data["file"]
        )
        return Response(
            AttachmentSerializer(attachment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID, ATTACHMENT_ID])
class AttachmentDetailView(APIView):
    @extend_schema(
        summary="Remove an attachment (authors, while draft or returned)",
        request=None,
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    def delete(self, request, pk, aid):
        proposal = perms.access_proposal(request.user, pk)
        attachment = _attachment(proposal, aid)
        _require_attachments_editable(request, proposal)
        services.attachment_remove(attachment=attachment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID, ATTACHMENT_ID])
class AttachmentDownloadView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The file is not rendered; an `Accept: application/pdf` must not end in 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download an attachment",
        description="The file as stored, as a download, under its sanitised name.",
        responses={
            **{
                (200, media): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The file, with its detected content type."
                )
                for media in sorted(set(ALLOWED_TYPES.values()))
            },
            **errors(401, 404),
        },
    )
    def get(self, request, pk, aid):
        proposal = perms.access_proposal(request.user, pk)
        attachment = _attachment(proposal, aid)
        return private_download(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
