"""The decision: the transitions a user may fire, the collective vote, the Party committee's
opinions."""

from django.utils.translation import gettext as _
from django_fsm import can_proceed
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors
from kl14.errors import NotFound

from .. import permissions as perms
from .. import services, transitions
from ..models import Opinion, Proposal
from ..models import State as S
from ..selectors import proposal_tally
from ..serializers import (
    OpinionInputSerializer,
    OpinionSerializer,
    ProposalSerializer,
    TallySerializer,
    TransitionSerializer,
    VoteInputSerializer,
)
from .common import PROPOSAL_ID, TAG, ProposalSubresource, answer, require, wrong_state

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
        require(spec.may_fire(request.user, proposal))
        if not can_proceed(getattr(proposal, spec.name)):
            raise wrong_state(
                _("This action is not possible while the proposal is “%(state)s”.")
                % {"state": proposal.get_state_display()}
            )
        inputs = {}
        if spec.serializer is not None:
            serializer = spec.serializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            inputs = serializer.validated_data
        spec.service(proposal=proposal, actor=request.user, **inputs)
        return answer(request, proposal)


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
        require(perms.is_eligible_voter(request.user, proposal))
        if proposal.state != S.UNDER_REVIEW:
            raise wrong_state(_("Votes are cast only while the proposal is under review."))
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
        require(perms.is_party_committee(request.user, proposal))
        serializer = OpinionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opinion = services.opinion_record(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        return Response(OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)
