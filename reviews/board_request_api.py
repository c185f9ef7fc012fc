"""The API of the requests to the competent authority (board_requests.py): the organization board
proposes recognition or replication of a succeeded proposal, the competent authority approves or
refuses, the board may withdraw a pending request."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses as errors
from kl14.errors import Forbidden
from proposals.serializers import UserBriefSerializer
from units.api import UnitBriefSerializer

from . import board_requests as services
from . import permissions as perms
from .api import TAG, _proposal
from .models import REQUEST_DECISIONS, BoardRequest, RecognitionKind, RequestKind
from .selectors import board_requests_of, board_requests_queryset, board_requests_to_decide
from .serializers import ProposalBriefSerializer

PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
REQUEST_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The request's id."
)


class BoardRequestSerializer(serializers.ModelSerializer):
    proposal = ProposalBriefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    recognition_kind_label = serializers.CharField(
        source="get_recognition_kind_display", read_only=True
    )
    board_unit = UnitBriefSerializer(read_only=True)
    authority_unit = UnitBriefSerializer(read_only=True)
    proposed_by = UserBriefSerializer(read_only=True)
    recipients = UserBriefSerializer(many=True, read_only=True)
    target_units = UnitBriefSerializer(many=True, read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    decided_in = UnitBriefSerializer(read_only=True, allow_null=True)
    may_decide = serializers.SerializerMethodField()
    may_withdraw = serializers.SerializerMethodField()

    class Meta:
        model = BoardRequest
        fields = [
            "id",
            "proposal",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "board_unit",
            "authority_unit",
            "proposed_by",
            "grounds",
            "recognition_kind",
            "recognition_kind_label",
            "recipients",
            "target_units",
            "decided_by",
            "decided_as",
            "decided_in",
            "reason",
            "created_at",
            "closed_at",
            "may_decide",
            "may_withdraw",
        ]
        read_only_fields = fields

    def get_may_decide(self, obj) -> bool:
        return services.decidable(self.context["request"].user, obj)

    def get_may_withdraw(self, obj) -> bool:
        return services.withdrawable(self.context["request"].user, obj)


class BoardRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    grounds = serializers.CharField(max_length=10000)
    recognition_kind = serializers.ChoiceField(
        choices=RecognitionKind.choices,
        required=False,
        help_text="For recognition: the form proposed (Decree 73, Art. 10).",
    )
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=100,
        help_text="For recognition: ids of the authors proposed; empty or absent: all of them.",
    )
    target_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="For replication: ids of units in the subtree of your organization board.",
    )

    def validate(self, data):
        if data["kind"] == RequestKind.RECOGNITION and not data.get("recognition_kind"):
            raise serializers.ValidationError({"recognition_kind": ["This field is required."]})
        if data["kind"] == RequestKind.REPLICATION and not data.get("target_units"):
            raise serializers.ValidationError({"target_units": ["This field is required."]})
        return data


class BoardRequestDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=REQUEST_DECISIONS)
    reason = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, help_text="Required when refusing."
    )


class WithdrawalInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10000, required=False, allow_blank=True)


def _one(request, pk):
    board_request = perms.access_board_request(request.user, pk)
    return board_requests_queryset().get(pk=board_request.pk)


@extend_schema(tags=TAG, parameters=[PROPOSAL_ID])
class ProposalBoardRequestsView(generics.GenericAPIView):
    serializer_class = BoardRequestSerializer
    queryset = BoardRequest.objects.none()
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        summary="Requests to the competent authority about this proposal",
        responses={200: BoardRequestSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, pk):
        rows = board_requests_of(_proposal(request, pk))
        return Response(BoardRequestSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Propose recognition or replication to the competent authority",
        description=(
            "By an organization board of an ancestor-or-self of the home unit, once the results "
            "were achieved (succeeded, replicated, institutionalized; replication: succeeded or "
            "replicated). The standing committee of the Party committee of the board's unit or "
            "above, or the head of the unit above the board's, decides. One ledger entry "
            "(`recognition_propose` or `replication_propose`)."
        ),
        request=BoardRequestInputSerializer,
        responses={201: BoardRequestSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        proposal = _proposal(request, pk)
        if not perms.may_propose(request.user, proposal):
            raise Forbidden()
        serializer = BoardRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == RequestKind.RECOGNITION:
            created = services.recognition_propose(
                proposal=proposal,
                actor=request.user,
                kind=data["recognition_kind"],
                recipients=data.get("recipients") or [],
                grounds=data["grounds"],
            )
        else:
            created = services.replication_propose(
                proposal=proposal,
                actor=request.user,
                target_units=data["target_units"],
                grounds=data["grounds"],
            )
        return Response(
            BoardRequestSerializer(
                board_requests_queryset().get(pk=created.pk), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAG)
class BoardRequestQueueView(generics.ListAPIView):
    serializer_class = BoardRequestSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BoardRequest.objects.none()
        return board_requests_to_decide(self.request.user)

    @extend_schema(
        summary="Requests awaiting your decision",
        description=(
            "Pending requests of organization boards that you may decide: as a member of the "
            "standing committee of the Party committee of the board's unit or above, or as the "
            "head of the unit above the board's. Oldest first."
        ),
        responses={200: BoardRequestSerializer(many=True), **errors(401)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=TAG, parameters=[REQUEST_ID])
class BoardRequestDetailView(APIView):
    @extend_schema(
        summary="A request to the competent authority",
        responses={200: BoardRequestSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        return Response(
            BoardRequestSerializer(_one(request, pk), context={"request": request}).data
        )


@extend_schema(tags=TAG, parameters=[REQUEST_ID])
class BoardRequestDecisionView(APIView):
    @extend_schema(
        summary="Approve or refuse a request",
        description=(
            "By the competent authority, never the board member who proposed it nor an author. "
            "Approving a recognition grants it (ledger `recognition`); approving a replication "
            "issues the directive (the `replicate` transition, a proposal adopted in each unit). "
            "Refusing needs reasons (ledger `recognition_refuse` / `replication_refuse`). A "
            "request already closed, or whose grounds changed meanwhile, is a conflict (409)."
        ),
        request=BoardRequestDecisionInputSerializer,
        responses={200: BoardRequestSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        board_request = perms.access_board_request(request.user, pk)
        serializer = BoardRequestDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.board_request_decide(
            board_request=board_request,
            actor=request.user,
            decision=serializer.validated_data["decision"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(
            BoardRequestSerializer(_one(request, pk), context={"request": request}).data
        )


@extend_schema(tags=TAG, parameters=[REQUEST_ID])
class BoardRequestWithdrawalView(APIView):
    @extend_schema(
        summary="Withdraw a pending request",
        description="By a member of the organization board that proposed it.",
        request=WithdrawalInputSerializer,
        responses={200: BoardRequestSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        board_request = perms.access_board_request(request.user, pk)
        serializer = WithdrawalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.board_request_withdraw(
            board_request=board_request,
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(
            BoardRequestSerializer(_one(request, pk), context={"request": request}).data
        )
