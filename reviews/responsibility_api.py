"""The API of responsibility per person (reviews.responsibility): each author's explanation before
the decision, their complaint after it, and its resolution by the head of the deciding unit. The
decisions themselves are fired through `POST /proposals/{id}/transitions/decide_responsibility/`
(one per author, `author` in the body)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors

from . import responsibility
from .api import PROPOSAL_ID, TAG, _proposal
from .models import ResponsibilityDecision, ResponsibilityExplanation
from .serializers import (
    ComplaintExtensionInputSerializer,
    ComplaintResolutionInputSerializer,
    ResponsibilityComplaintSerializer,
    ResponsibilityDecisionSerializer,
    ResponsibilityExplanationSerializer,
    TextInputSerializer,
)

REVISION_FIELDS = (
    "decision",
    "followed_approved_plan",
    "pure_motive",
    "common_interest",
    "no_personal_gain",
    "damage",
    "damage_amount",
    "reasons",
)

AUTHOR_ID = OpenApiParameter(
    "author", OpenApiTypes.INT, OpenApiParameter.PATH, description="The author's user id."
)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ResponsibilityDecisionListView(APIView):
    @extend_schema(
        summary="The decisions on responsibility, one per author",
        description=(
            "Decree 73, Art. 5(2), 11: each author's criteria, damage and decision, with their "
            "complaint and its resolution. A founded complaint adds the revised decision, which "
            "`supersedes` the one complained of (kept, `current` false)."
        ),
        responses={200: ResponsibilityDecisionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        rows = ResponsibilityDecision.objects.filter(proposal=proposal).select_related(
            "author", "decided_by", "complaint__resolved_by", "superseded_by"
        )
        return Response(ResponsibilityDecisionSerializer(rows, many=True).data)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ResponsibilityExplanationView(APIView):
    @extend_schema(
        summary="The authors' explanations before the decisions on responsibility",
        responses={200: ResponsibilityExplanationSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = _proposal(request, pk)
        rows = ResponsibilityExplanation.objects.filter(proposal=proposal).select_related("author")
        return Response(ResponsibilityExplanationSerializer(rows, many=True).data)

    @extend_schema(
        summary="Explain before the decision on your responsibility (an author, once)",
        request=TextInputSerializer,
        responses={201: ResponsibilityExplanationSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        explanation = responsibility.responsibility_explain(
            proposal=proposal, actor=request.user, text=request.data.get("text")
        )
        return Response(
            ResponsibilityExplanationSerializer(explanation).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ResponsibilityComplaintView(APIView):
    @extend_schema(
        summary="Complain against the decision on your responsibility (an author, once)",
        description=(
            "Resolved first by the head of the deciding unit, who issued the decision (Law on "
            "Complaints 2011, Art. 18)."
        ),
        request=TextInputSerializer,
        responses={201: ResponsibilityComplaintSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        complaint = responsibility.complaint_file(
            proposal=proposal, actor=request.user, text=request.data.get("text")
        )
        return Response(
            ResponsibilityComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID, AUTHOR_ID])
class ComplaintResolutionView(APIView):
    @extend_schema(
        summary="Resolve an author's complaint (the head of the deciding unit)",
        description=(
            "Law on Complaints 2011, Art. 31: `upheld` keeps the decision; `accepted` or `partly` "
            "carry the revised decision on the author (criteria, damage, decision, reasons), "
            "which supersedes the one complained of, issues its document and, once every author "
            "is decided, moves the proposal to the authors' shared outcome "
            "(`revise_responsibility`). 400 for a complaint filed after KL14_COMPLAINT_DAYS."
        ),
        request=ComplaintResolutionInputSerializer,
        responses={200: ResponsibilityComplaintSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk, author):
        proposal = _proposal(request, pk)
        complaint = responsibility.complaint_resolve(
            proposal=proposal,
            actor=request.user,
            author=author,
            resolution=request.data.get("resolution"),
            text=request.data.get("text"),
            **{name: request.data.get(name) for name in REVISION_FIELDS},
        )
        return Response(ResponsibilityComplaintSerializer(complaint).data)


class ComplaintExtensionView(APIView):
    @extend_schema(
        summary="Declare an author's complaint a complex case (the head of the deciding unit)",
        description=(
            "Law on Complaints 2011, Art. 28: a complex case may take up to "
            "KL14_COMPLAINT_RESOLUTION_DAYS_COMPLEX days (45) from the filing instead of "
            "KL14_COMPLAINT_RESOLUTION_DAYS (30). Once per complaint, with the reasons, before "
            "the ordinary time runs out (400 after it); the author is notified. 409 when already "
            "extended or resolved."
        ),
        request=ComplaintExtensionInputSerializer,
        responses={200: ResponsibilityComplaintSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk, author):
        proposal = _proposal(request, pk)
        complaint = responsibility.complaint_extend(
            proposal=proposal, actor=request.user, author=author, reason=request.data.get("reason")
        )
        return Response(ResponsibilityComplaintSerializer(complaint).data)
