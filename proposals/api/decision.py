"""The decision: the transitions a user may fire, the collective vote, the Party committee's
opinions."""

from django.utils.translation import gettext as _
from django_fsm import can_proceed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import AutoSchema
from kl14.api import error_responses as errors
from kl14.errors import Forbidden, NotFound

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
    """`POST /transitions/{name}/` is published as one path per registered transition
    (`/transitions/withdraw/`, …: see api_urls), so that each has its own request body, read from
    the transition's input serializer: none for a transition without inputs. One path with a
    `name` parameter cannot say which body goes with which name (a `oneOf` of the inputs is not
    satisfiable where two transitions take the same fields)."""

    _inputs: dict = {}

    def _spec(self):
        return transitions.get(self.view.transition)

    def get_request_serializer(self):
        spec = self._spec()
        return self._input(spec) if spec and spec.serializer else None

    @classmethod
    def _input(cls, spec):
        """The inputs of one transition as a component named after it (`WithdrawTransitionInput`),
        so that transitions sharing an input serializer, and apps registering input serializers
        of the same class name, cannot collide."""
        name = "".join(part.title() for part in spec.name.split("_")) + "TransitionInput"
        key = (name, spec.serializer)
        if key not in cls._inputs:
            cls._inputs[key] = type(
                name, (spec.serializer,), {"__doc__": f"The inputs of `{spec.name}`."}
            )
        return cls._inputs[key]

    def get_summary(self):
        spec = self._spec()
        return f"{spec.name}: {spec.label}"

    def get_description(self):
        spec = self._spec()
        names = ", ".join(f"`{n}`" for n in spec.inputs()) or "none"
        return (
            f"Fires `{spec.name}` (lifecycle.md) and answers the proposal. Inputs: {names}. "
            "`GET /transitions/` lists the transitions you may fire now, with their fields and "
            "what is still missing before they can succeed."
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class TransitionListView(APIView):
    @extend_schema(
        summary="The transitions you may fire now",
        description=(
            "Your role allows them and the proposal's state admits them. `missing` says what "
            "must happen first (firing it before answers 400); `preview` what it will do."
        ),
        responses={200: TransitionSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        proposal = perms.access_proposal(request.user, pk)
        available = transitions.available(request.user, proposal)
        return Response(
            TransitionSerializer(available, many=True, context={"proposal": proposal}).data
        )


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class TransitionFireView(APIView):
    """Fires the transition named in the path. api_urls routes each registered transition to this
    view with `transition` set (one schema path each), and any other name to it with `transition`
    unset (404, or a transition registered after the URLs were loaded)."""

    schema = TransitionSchema()
    transition: str | None = None

    @extend_schema(responses={200: ProposalSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, pk, name):
        proposal = perms.access_proposal(
            request.user, pk, queryset=Proposal.objects.select_related("home_unit", "deciding_unit")
        )
        spec = transitions.get(name)
        if spec is None:
            raise NotFound(_("There is no such action."))
        if not spec.may_fire(request.user, proposal):
            if perms.decided_before(request.user, proposal):
                raise services.moved_on(proposal)
            raise Forbidden()
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
        spec.service(proposal=services.as_seen(proposal), actor=request.user, **inputs)
        return answer(request, proposal)


@extend_schema(exclude=True)
class AnyTransitionFireView(TransitionFireView):
    """`/transitions/{name}/` for a name the schema does not list: see TransitionFireView."""


# --- votes and opinions --------------------------------------------------------------------------


def _tally(request, proposal) -> dict:
    """The round's vote as this user may see it: votes are secret while open (amendment)."""
    tally = proposal_tally(proposal)
    mine = next((v.choice for v in tally.votes if v.voter_id == request.user.pk), None)
    sees_votes = perms.sees_votes(request.user, proposal)
    counts = perms.sees_tally(request.user, proposal)
    return TallySerializer(
        {
            "round": proposal.decision_round,
            "secret": not sees_votes,
            "eligible": tally.eligible,
            "votes_for": tally.votes_for if counts else None,
            "against": tally.against if counts else None,
            "abstain": tally.abstain if counts else None,
            "passed": tally.passed if counts else None,
            "my_vote": mine,
            "can_vote": perms.can_vote(request.user, proposal),
            "votes": tally.votes if sees_votes else (),
        }
    ).data


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class VoteView(APIView):
    @extend_schema(
        summary="The collective vote of the current decision round",
        description=(
            "Eligible voters are the head and deputies of the deciding unit who are not authors. "
            "It passes when `for` is more than half of them; at exactly half, when the head "
            "voted for. The votes are secret while open: anyone else sees that voting is under "
            "way (`secret`, null counts), after the decision the tally, never names."
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
        data = request.data if isinstance(request.data, dict) else {}
        stage = data.get("stage", Opinion.Stage.DECISION)
        if stage in Opinion.Stage.values and not perms.can_record_opinion(
            request.user, proposal, stage
        ):  # the state (409) before the inputs (400), as every action
            raise wrong_state(_("The Party committee's opinion cannot be recorded at this stage."))
        serializer = OpinionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opinion = services.opinion_record(
            proposal=proposal, actor=request.user, **serializer.validated_data
        )
        return Response(OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)
