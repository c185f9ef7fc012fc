from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses

from .models import Membership, Unit
from .permissions import access_unit
from .selectors import memberships_of, units_visible_to, with_parent_id


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent"]


class MembershipSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["unit", "role", "title"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()
    language = serializers.CharField()
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    @extend_schema(
        responses={200: MeSerializer, **error_responses(401)},
        summary="The signed-in user and memberships",
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "full_name": user.get_full_name(),
                "email": user.email,
                "language": user.language,
                "memberships": MembershipSerializer(memberships_of(user), many=True).data,
            }
        )


@extend_schema(responses={200: UnitSerializer(many=True), **error_responses(401)})
class UnitListView(generics.ListAPIView):
    """Units the user belongs to and their subtrees."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        return with_parent_id(units_visible_to(self.request.user)).order_by("path")


@extend_schema(responses={200: UnitSerializer, **error_responses(401, 404)})
class UnitDetailView(generics.RetrieveAPIView):
    serializer_class = UnitSerializer

    def get_object(self):
        unit = access_unit(self.request.user, self.kwargs["pk"])
        return with_parent_id(Unit.objects.filter(pk=unit.pk)).get()
