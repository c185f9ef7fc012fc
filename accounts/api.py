"""API sign-in and sign-out: expiring tokens (django-rest-knox), one per client of a user.

`POST /api/v1/auth/token/` answers `{"token", "expiry", "client"}` (api.md's `{"token"}` plus
when it stops working); `Authorization: Token <token>` authenticates. Failed attempts count
toward the lock-out of django-axes, as on the sign-in page (accounts.lockout)."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kl14.api import error_responses

from .auth import TokenAuthentication
from .models import ApiToken
from .services import DEFAULT_CLIENT, sign_in_refused, token_issue, token_revoke


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        max_length=64,
        help_text=(
            "The code of the authenticator app (or a recovery code), for accounts with "
            "two-factor sign-in."
        ),
    )
    client = serializers.CharField(
        max_length=100,
        required=False,
        default=DEFAULT_CLIENT,
        help_text=(
            "Names the program asking (e.g. `mobile`, `sync-script`). A new token for the same "
            "client replaces the previous one."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")
    client = serializers.CharField()


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["token_key", "client", "created", "expiry"]


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 403, 429)},
        summary="Obtain an API token",
        description=(
            "Failed attempts are limited per client address and per account (429 with "
            "`Retry-After` once too many); successful ones are not counted."
        ),
    )
    def post(self, request):
        inputs = TokenRequestSerializer(data=request.data)
        inputs.is_valid(raise_exception=True)
        data = inputs.validated_data
        # The Django request: django-axes counts the failure and marks a lock-out on it, which
        # its middleware turns into 429.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise sign_in_refused()
        from .two_factor import token_second_factor_check

        # A token is a session of its own: it is issued only after the second factor.
        token_second_factor_check(user, data.get("otp"))
        row, token = token_issue(user=user, client=data["client"])
        body = {"token": token, "expiry": row.expiry, "client": row.client}
        return Response(TokenSerializer(body).data, status=status.HTTP_200_OK)


class LogoutView(APIView):
    """Sign out of the API: the token sent with this request stops working."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None, **error_responses(401)},
        summary="Revoke the token of this request",
    )
    def post(self, request):
        token_revoke(user=request.user, token_key=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
