"""API authentication: `Authorization: Token <token>` with expiring django-rest-knox tokens."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import authentication, exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's, with a 401 (not a 500) for a token that is not even ASCII text, and one query per
    request: knox also reads every other token of the user to delete the expired ones, which
    accounts.services.token_issue does when it issues a new one."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def authenticate_credentials(self, token):
        try:
            token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, with its CSRF refusal in the user's language and a code of its own, like every other
    API error (DRF's is "CSRF Failed: CSRF cookie not set.", in English, code permission_denied)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _(
                    "The security code (CSRF) of this session is missing or no longer holds: "
                    "reload the page, or authenticate with a token."
                ),
                code="csrf_failed",
            ) from None
