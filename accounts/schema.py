"""The API's token authentication in the OpenAPI schema (drf-spectacular)."""

from drf_spectacular import authentication as drf_spectacular_authentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <token>`, the token from `POST /api/v1/auth/token/`; it expires "
                "(see `expiry`) and stops working on sign-out or a password change."
            ),
        }


class SessionScheme(drf_spectacular_authentication.SessionScheme):
    """The session cookie, as drf-spectacular describes DRF's own (accounts.auth's subclass only
    words its CSRF refusal in the user's language)."""

    target_class = "accounts.auth.SessionAuthentication"
