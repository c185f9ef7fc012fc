from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.serializers import PkIdentityField
from units.api import UnitBriefSerializer

from .models import Notification
from .permissions import access_notification
from .selectors import notifications_of
from .services import notification_mark_read, notifications_mark_all_read


class NotificationSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, allow_null=True)
    read = serializers.BooleanField(source="is_read", read_only=True)
    url = serializers.CharField(
        read_only=True,
        help_text=(
            "The page of the web app the notification is about, as a path. It may not open for "
            "you (an overdue item escalated to a unit above that may not see it, a role given "
            "up since): send people to `open_url`."
        ),
    )
    open_url = PkIdentityField(
        view_name="notifications:open",
        help_text=(
            "The notification in the web app: opening it marks it read and goes to its page, or, "
            "where that page would not open for you, shows the notification with why."
        ),
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "open_url",
            "unit",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields


class NotificationListView(generics.ListAPIView):
    """The signed-in user's notifications, newest first."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; requests use get_queryset()

    @extend_schema(
        summary="List my notifications",
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description="Only the unread ones when true."
            )
        ],
        responses={200: NotificationSerializer(many=True), 401: None},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread") in ("true", "1")
        return notifications_of(self.request.user, unread=unread)


class NotificationReadView(APIView):
    @extend_schema(
        summary="Mark one of my notifications as read",
        request=None,
        responses={200: NotificationSerializer, 401: None, 404: None},
    )
    def post(self, request, pk):
        notification = access_notification(request.user, pk)
        notification = notification_mark_read(notification=notification)
        notification = notifications_of(request.user).get(pk=notification.pk)
        return Response(NotificationSerializer(notification, context={"request": request}).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        summary="Mark all my notifications as read",
        request=None,
        responses={
            200: inline_serializer(
                "NotificationsMarkedRead", {"marked": serializers.IntegerField()}
            ),
            401: None,
        },
    )
    def post(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)})
