"""What every proposals endpoint shares: path parameters,
reading a proposal as the user may see it, and the answer after a write."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from kl14.errors import Conflict, Forbidden

from .. import permissions as perms
from ..models import Attachment, Proposal, ProposalAuthor
from ..serializers import ProposalSerializer

# --- schema: path parameters ---

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


def proposal_queryset():
    return Proposal.objects.select_related(
        "home_unit", "deciding_unit", "created_by"
    ).prefetch_related(
        Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("user")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
    )


def visible(request, pk) -> Proposal:
    """The proposal with everything its representation needs, or 404."""
    return perms.access_proposal(request.user, pk, queryset=proposal_queryset())


def answer(request, proposal, *, status_code=status.HTTP_200_OK) -> Response:
    """The proposal after a write, read again. Not filtered by visibility: the actor has just acted
    on it, even when the step moved it out of their reach (e.g. a head escalating it)."""
    fresh = proposal_queryset().get(pk=proposal.pk)
    return Response(
        ProposalSerializer(fresh, context={"request": request}).data, status=status_code
    )


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden()


def wrong_state(message: str):
    return Conflict(message, code="wrong_state")


class ProposalSubresource:
    """A list under /proposals/{id}/: visible proposal first, paginated like every list."""

    def get_proposal(self) -> Proposal:
        if not hasattr(self, "_proposal"):
            self._proposal = perms.access_proposal(self.request.user, self.kwargs["pk"])
        return self._proposal
