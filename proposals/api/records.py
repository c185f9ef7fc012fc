"""What is on record: the frozen versions and their diff, the ledger and its verification."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors
from kl14.errors import NotFound
from ledger.models import LedgerEntry
from ledger.selectors import ledger_entries

from .. import permissions as perms
from ..models import ProposalVersion
from ..selectors import proposal_verify, version_changes, version_field_label
from ..serializers import (
    LedgerEntrySerializer,
    VerificationSerializer,
    VersionDetailSerializer,
    VersionDiffSerializer,
    VersionSerializer,
)
from .common import PROPOSAL_ID, TAG, VERSION_NUMBER, ProposalSubresource

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
                    "changes": [
                        {"field": name, "label": version_field_label(name), "old": a, "new": b}
                        for name, a, b in version_changes(old.content, new.content)
                    ],
                }
            ).data
        )


# --- ledger --------------------------------------------------------------------------------------


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class LedgerView(ProposalSubresource, generics.ListAPIView):
    queryset = LedgerEntry.objects.none()
    serializer_class = LedgerEntrySerializer

    def get_queryset(self):
        proposal = self.get_proposal()
        return ledger_entries(proposal).exclude(
            event__in=perms.hidden_events(self.request.user, proposal)
        )

    @extend_schema(
        summary="The proposal's ledger",
        description=(
            "Every recorded event in order of `seq`, paginated like every list (`page_size` up "
            "to 100). Each `hash` is the SHA-256 over the entry including `prev_hash`. Votes are "
            "secret: `vote` entries (who voted what) are listed only to the voting collective, "
            "so others see gaps in `seq`; `verify/` checks the whole chain."
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
