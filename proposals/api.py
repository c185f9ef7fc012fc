"""The proposals API (api.md): thin views over selectors, permissions and services.

Every view first reads the proposal through `access_proposal` (404 when the user may not see it).
Writes check the role (403) and the state (409) before the input (400), in the services' order, then
call the one service that does the work; the service checks all of it again under a row lock."""

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.errors import Conflict, Forbidden, NotFound
from ledger.models import LedgerEntry
from ledger.selectors import ledger_entries

from . import permissions as perms
from . import services, transitions
from .filters import ProposalFilter
from .models import EDITABLE_STATES, Attachment, Opinion, Proposal, ProposalAuthor, ProposalVersion
from .models import State as S
from .selectors import proposal_tally, proposal_verify, proposals_visible_to
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ErrorSerializer,
    LedgerEntrySerializer,
    OpinionInputSerializer,
    OpinionSerializer,
    ProposalSerializer,
    ProposalSummarySerializer,
    ProposalUpdateSerializer,
    TallySerializer,
    TransitionSerializer,
    VerificationSerializer,
    VersionDetailSerializer,
    VersionDiffSerializer,
    VersionSerializer,
    VoteInputSerializer,
    version_changes,
)

# --- schema helpers ------------------------------------------------------------------------------

_ERROR_MEANING = {
    400: "Invalid input: `errors` names the fields. Nothing was written.",
    401: "Not signed in (send a session cookie or `Authorization: Token <token>`).",
    403: "The proposal is visible to you, but you may not do this.",
    404: "Not found, or not visible to you.",
    409: "The proposal is in a state that does not allow this, or it changed meanwhile.",
    415: "The body is not multipart/form-data.",
}


def errors(*codes: int) -> dict:
    """Schema entries for the error answers an endpoint can give, all in the shared format."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_MEANING[code]) for code in codes
    }


PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
VERSION_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="A version number (1, 2, …)."
)
ATTACHMENT_ID = OpenApiParameter(
    "aid", OpenApiTypes.INT, OpenApiParameter.PATH, description="The attachment's id."
)
TAG = ["proposals"]


# --- reading a proposal --------------------------------------------------------------------------


def _proposal_queryset():
    return Proposal.objects.select_related(
        "home_unit", "deciding_unit", "created_by"
    ).prefetch_related(
        Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("user")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
    )


def _visible(request, pk) -> Proposal:
    """The proposal with everything its representation needs, or 404."""
    return perms.access_proposal(request.user, pk, queryset=_proposal_queryset())


def _answer(request, proposal, *, status_code=status.HTTP_200_OK) -> Response:
    """The proposal after a write, read again. Not filtered by visibility: the actor has just acted
    on it, even when the step moved it out of their reach (e.g. a head escalating it)."""
    fresh = _proposal_queryset().get(pk=proposal.pk)
    return Response(
        ProposalSerializer(fresh, context={"request": request}).data, status=status_code
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def _wrong_state(message: str):
    return Conflict(message, code="wrong_state")


class ProposalSubresource:
    """A list under /proposals/{id}/: visible proposal first, paginated like every list."""

    def get_proposal(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = perms.access_proposal(self.request.user, self.kwargs["pk"])
        return self._proposal


# --- proposals -----------------------------------------------------------------------------------


class ProposalListView(generics.ListCreateAPIView):
    queryset = Proposal.objects.none()
    filterset_class = ProposalFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return proposals_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ProposalSerializer if self.request.method == "POST" else ProposalSummarySerializer

    @extend_schema(
        tags=TAG,
        summary="List the proposals visible to you",
        description=(
            "Summaries (without the plan's long texts), newest first unless `ordering` says "
            "otherwise. Paginated: `page`, `page_size` (at most 100)."
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
            **serializer.dossier(),
        )
        response = _answer(request, proposal, status_code=status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ProposalDetailView(APIView):
    @extend_schema(
        summary="Read a proposal",
        responses={200: ProposalSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = _visible(request, pk)
        return Response(ProposalSerializer(proposal, context={"request": request}).data)

    @extend_schema(
        summary="Edit a draft or returned proposal (authors)",
        description="Send only the fields to change. `co_authors`, when sent, replaces the list.",
        request=ProposalUpdateSerializer,
        responses={200: ProposalSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request, pk):
        proposal = _visible(request, pk)
        _require(perms.is_author(request.user, proposal))
        if proposal.state not in EDITABLE_STATES:
            raise _wrong_state(_("Only a draft or a returned proposal can be edited."))
        serializer = ProposalUpdateSerializer(
            proposal, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_update(
            proposal=proposal,
            actor=request.user,
            co_authors=serializer.validated_data.get("co_authors"),
            **serializer.dossier(),
        )
        return _answer(request, proposal)

    @extend_schema(
        summary="Delete a draft that was never submitted (authors)",
        request=None,
        responses={204: None, **errors(401, 403, 404, 409)},
    )
    def delete(self, request, pk):
        proposal = _visible(request, pk)
        services.proposal_delete(proposal=proposal, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- versions ------------------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class VersionListView(ProposalSubresource, generics.ListAPIView):
    queryset = ProposalVersion.objects.none()
    serializer_class = VersionSerializer

    def get_queryset(self):
        return (
            ProposalVersion.objects.filter(proposal=self.get_proposal())
            .select_related("created_by")
            .order_by("number")
        )

    @extend_schema(
        summary="The frozen versions of a proposal",
        description="One per submission, oldest first, with its SHA-256 content hash.",
        responses={200: VersionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _version(proposal, number) -> ProposalVersion:
    version = (
        ProposalVersion.objects.filter(proposal=proposal, number=number)
        .select_related("created_by")
        .first()
    )
    if version is None:
        raise NotFound()
    return version


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID, VERSION_NUMBER])
class VersionDetailView(APIView):
    @extend_schema(
        summary="One frozen version: its content and hash",
        responses={200: VersionDetailSerializer, **errors(401, 404)},
    )
    def get(self, request, pk, number):
        proposal = perms.access_proposal(request.user, pk)
        return Response(VersionDetailSerializer(_version(proposal, number)).data)


@extend_schema(
    tags=TAG,
    parameters=[
        PROPOSAL_ID,
        VERSION_NUMBER,
        OpenApiParameter(
            "other",
            OpenApiTypes.INT,
            OpenApiParameter.PATH,
            description="The version to compare with (older or newer).",
        ),
    ],
)
class VersionDiffView(APIView):
    @extend_schema(
        summary="What changed between two versions",
        description=(
            "Every dossier field (and the home unit, authors and attachments) whose value differs, "
            "with its value in `number` (`old`) and in `other` (`new`)."
        ),
        responses={200: VersionDiffSerializer, **errors(401, 404)},
    )
    def get(self, request, pk, number, other):
        proposal = perms.access_proposal(request.user, pk)
        old, new = _version(proposal, number), _version(proposal, other)
        return Response(
            VersionDiffSerializer(
                {
                    "from_version": old,
                    "to_version": new,
                    "changes": version_changes(old.content, new.content),
                }
            ).data
        )


# --- transitions ---------------------------------------------------------------------------------


class TransitionSchema(AutoSchema):
    """The request body of `POST /transitions/{name}/` is the inputs of the named transition: one
    of the registered input serializers, read from the registry when the schema is built."""

    _inputs: dict = {}

    def get_request_serializer(self):
        return PolymorphicProxySerializer(
            component_name="TransitionInput",
            serializers=[self._input(spec) for spec in transitions.all_specs() if spec.serializer],
            resource_type_field_name=None,
        )

    @classmethod
    def _input(cls, spec):
        """The inputs of one transition as a component named after it (`WithdrawTransitionInput`),
        so that apps registering input serializers of the same class name cannot collide."""
        name = "".join(part.title() for part in spec.name.split("_")) + "TransitionInput"
        key = (name, spec.serializer)
        if key not in cls._inputs:
            cls._inputs[key] = type(
                name, (spec.serializer,), {"__doc__": f"The inputs of `{spec.name}`."}
            )
        return cls._inputs[key]

    def get_description(self):
        lines = [
            "Fires the transition `name` with its inputs and answers the proposal. ",
            "`GET /transitions/` lists the ones you may fire now with their fields. Inputs:",
            "",
        ]
        for spec in transitions.all_specs():
            names = ", ".join(f"`{n}`" for n in spec.inputs()) or "none"
            lines.append(f"- `{spec.name}`: {names}")
        return "\n".join(lines)

    def get_override_parameters(self):
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[spec.name for spec in transitions.all_specs()],
                description="The transition (lifecycle.md).",
            ),
        ]


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class TransitionListView(APIView):
    @extend_schema(
        summary="The transitions you may fire now",
        description="Your role allows them and the proposal's state admits them.",
        responses={200: TransitionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = perms.access_proposal(request.user, pk)
        available = transitions.available(request.user, proposal)
        return Response(TransitionSerializer(available, many=True).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class TransitionFireView(APIView):
    schema = TransitionSchema()

    @extend_schema(
        summary="Fire a transition",
        responses={200: ProposalSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk, name):
        proposal = perms.access_proposal(
            request.user, pk, queryset=Proposal.objects.select_related("home_unit", "deciding_unit")
        )
        spec = transitions.get(name)
        if spec is None:
            raise NotFound(_("There is no such action."))
        _require(spec.may_fire(request.user, proposal))
        if not can_proceed(getattr(proposal, spec.name)):
            raise _wrong_state(
                _("This action is not possible while the proposal is “%(state)s”.")
                % {"state": proposal.get_state_display()}
            )
        inputs = {}
        if spec.serializer is not None:
            serializer = spec.serializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            inputs = serializer.validated_data
        spec.service(proposal=proposal, actor=request.user, **inputs)
        return _answer(request, proposal)


# --- votes and opinions --------------------------------------------------------------------------


def _tally(request, proposal) -> dict:
    tally = proposal_tally(proposal)
    mine = next((v.choice for v in tally.votes if v.voter_id == request.user.pk), None)
    return TallySerializer(
        {
            "round": proposal.decision_round,
            "eligible": tally.eligible,
            "votes_for": tally.votes_for,
            "against": tally.against,
            "abstain": tally.abstain,
            "passed": tally.passed,
            "my_vote": mine,
            "can_vote": perms.can_vote(request.user, proposal),
            "votes": tally.votes,
        }
    ).data


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class VoteView(APIView):
    @extend_schema(
        summary="The collective vote of the current decision round",
        description=(
            "Eligible voters are the head and deputies of the deciding unit who are not authors. "
            "It passes when `for` is more than half of them; at exactly half, when the head "
            "voted for."
        ),
        responses={200: TallySerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = perms.access_proposal(request.user, pk)
        return Response(_tally(request, proposal))

    @extend_schema(
        summary="Cast or change your vote",
        request=VoteInputSerializer,
        responses={200: TallySerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = perms.access_proposal(request.user, pk)
        _require(perms.is_eligible_voter(request.user, proposal))
        if proposal.state != S.UNDER_REVIEW:
            raise _wrong_state(_("Votes are cast only while the proposal is under review."))
        serializer = VoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.vote_cast(proposal=proposal, actor=request.user, **serializer.validated_data)
        return Response(_tally(request, proposal))


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class OpinionListView(ProposalSubresource, generics.ListCreateAPIView):
    queryset = Opinion.objects.none()
    serializer_class = OpinionSerializer

    def get_queryset(self):
        opinions = Opinion.objects.filter(proposal=self.get_proposal())
        stage = self.request.query_params.get("stage")
        if stage in Opinion.Stage.values:
            opinions = opinions.filter(stage=stage)
        return opinions.select_related("author", "unit").order_by("created_at", "pk")

    @extend_schema(
        summary="The Party committee's opinions",
        description="Every round and stage, oldest first.",
        parameters=[
            OpenApiParameter(
                "stage", OpenApiTypes.STR, enum=Opinion.Stage.values, description="Only this one."
            )
        ],
        responses={200: OpinionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record the Party committee's opinion",
        description=(
            "By a Party committee member of the deciding unit: `decision` while the proposal is "
            "under review, `evaluation` while its results are being evaluated."
        ),
        request=OpinionInputSerializer,
        responses={201: OpinionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        _require(perms.is_party_committee(request.user, proposal))
        serializer = OpinionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opinion = services.opinion_record(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        return Response(OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)


# --- ledger --------------------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class LedgerView(ProposalSubresource, generics.ListAPIView):
    queryset = LedgerEntry.objects.none()
    serializer_class = LedgerEntrySerializer

    def get_queryset(self):
        return ledger_entries(self.get_proposal())

    @extend_schema(
        summary="The proposal's ledger",
        description=(
            "Every recorded event in order of `seq`, paginated like every list (`page_size` up "
            "to 100). Each `hash` is the SHA-256 over the entry including `prev_hash`."
        ),
        responses={200: LedgerEntrySerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class LedgerVerifyView(APIView):
    @extend_schema(
        summary="Verify the ledger's hash chain",
        description=(
            "Recomputes every entry's hash and link, and checks that each recorded dossier hash "
            "still matches a frozen version. `first_bad_seq` names the first entry that does not."
        ),
        responses={200: VerificationSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = perms.access_proposal(request.user, pk)
        return Response(VerificationSerializer(proposal_verify(proposal).as_dict()).data)


# --- attachments ---------------------------------------------------------------------------------


def _attachment(proposal, aid) -> Attachment:
    attachment = Attachment.objects.filter(proposal=proposal, pk=aid).first()
    if attachment is None:
        raise NotFound()
    attachment.proposal = proposal
    return attachment


def _require_attachments_editable(request, proposal):
    _require(perms.is_author(request.user, proposal))
    if proposal.state not in EDITABLE_STATES:
        raise _wrong_state(
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
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its detected content type."
            ),
            **errors(401, 404),
        },
    )
    def get(self, request, pk, aid):
        proposal = perms.access_proposal(request.user, pk)
        attachment = _attachment(proposal, aid)
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-cache"
        return response
