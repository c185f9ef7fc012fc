"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from the environment.

The provider is named by its issuer alone: its endpoints and keys come from its discovery document
(`<issuer>/.well-known/openid-configuration`), fetched when a sign-in starts and cached. A person
signing in is matched to an existing account — by the `sub` recorded at their first SSO sign-in,
else by the configured claim (e-mail or staff code) — and never created: accounts and their roles
come from the unit admins (the admin site or a spreadsheet import), not from the provider.

The ID token's signature (JWKS), nonce, issuer, audience and expiry are checked; the code flow
uses PKCE.
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .backends import load_user

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def sso_enabled() -> bool:
    return bool(settings.KL14_OIDC_ISSUER)


def discovery() -> dict:
    """The provider's discovery document (cached): its endpoints and the issuer it signs as."""
    issuer = settings.KL14_OIDC_ISSUER.rstrip("/")
    key = f"kl14:oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=settings.OIDC_TIMEOUT,
            verify=settings.OIDC_VERIFY_SSL,
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(
                f"the provider at {issuer} says its issuer is {document.get('issuer')!r}"
            )
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def oidc_setting(attr, *args):
    """mozilla-django-oidc's settings, with the endpoints taken from discovery."""
    if attr in ENDPOINTS:
        return discovery()[ENDPOINTS[attr]]
    return import_from_settings(attr, *args)


class SSOBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of the code flow; answers None to everything else (a password
    sign-in, or SSO not configured) without touching the network."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # The parent reads the endpoints here; discovery waits until an SSO sign-in needs it.
        self.UserModel = get_user_model()

    def get_user(self, user_id):
        # mozilla-django-oidc's, with the memberships read in the same query (load_user).
        return load_user(user_id)

    def authenticate(self, request, **kwargs):
        if not sso_enabled() or request is None or "code" not in request.GET:
            return None
        if "nonce" not in kwargs:
            return None  # not the callback of a flow this site started
        for name in ENDPOINTS:
            setattr(self, name, self.get_settings(name))
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = self.get_settings("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = self.get_settings("OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is None:
            return payload  # a signed userinfo response, not the ID token
        issuer = discovery()["issuer"]
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != issuer or self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued by another provider or for another client")
        if payload.get("exp") is None:
            raise SuspiciousOperation("ID token without an expiry")
        self.id_token_claims = payload
        return payload

    def _verify_jws(self, payload, key):
        try:
            return super()._verify_jws(payload, key)
        except jwt.ExpiredSignatureError as error:
            raise SuspiciousOperation("expired ID token") from error

    def verify_claims(self, claims):
        match_claim = settings.KL14_OIDC_MATCH_CLAIM
        if not claims.get("sub") or not claims.get(match_claim):
            message = _("The sign-on provider did not say who you are (%(claim)s): ask your admin.")
            self._refuse(message % {"claim": match_claim})
            return False
        # Userinfo about someone else than the ID token is refused.
        token_sub = getattr(self, "id_token_claims", {}).get("sub")
        return not token_sub or token_sub == claims["sub"]

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(is_active=True)
        known = users.filter(sso_subject=claims["sub"])
        if known.exists():
            return known
        value = str(claims[settings.KL14_OIDC_MATCH_CLAIM]).strip()
        if settings.KL14_OIDC_MATCH == "staff_code":
            matched = users.filter(staff_code=value)
        else:
            matched = users.filter(email__iexact=value)
        linked_elsewhere = [u for u in matched if u.sso_subject]
        if linked_elsewhere:
            # The account belongs to another identity of the provider: never hand it over.
            self._refuse(_("This account is linked to another single sign-on identity."))
            return users.none()
        if not matched:
            self._refuse(
                _(
                    "No KL14 account matches your single sign-on identity. Ask the administrator "
                    "of your unit to add you (accounts are never created at sign-in)."
                )
            )
        return matched

    def update_user(self, user, claims):
        from .services import user_link_sso

        return user_link_sso(user=user, subject=claims["sub"])

    def create_user(self, claims):  # OIDC_CREATE_USER is off; this is the second lock
        raise SuspiciousOperation("KL14 never creates accounts at sign-in")

    def _refuse(self, message):
        self.request.kl14_sso_error = message


class SSOStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (with state, nonce and a PKCE challenge)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, KeyError, ImproperlyConfigured):
            logger.exception("single sign-on: the provider's discovery document is unavailable")
            messages.error(
                request,
                _("The single sign-on service does not answer. Try again later, or sign in here."),
            )
            return redirect(settings.LOGIN_URL)
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: signs the matched account in, or says plainly why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        try:
            return super().get(request)
        except (requests.RequestException, SuspiciousOperation, ImproperlyConfigured):
            logger.exception("single sign-on: the callback failed")
            return self.login_failure()

    def login_success(self):
        from .views import set_language_cookie

        response = super().login_success()
        set_language_cookie(response, self.user.language)
        return response

    def login_failure(self):
        message = getattr(self.request, "kl14_sso_error", None) or _(
            "Single sign-on did not succeed. Try again, or ask your administrator."
        )
        messages.error(self.request, message)
        return redirect(settings.LOGIN_URL)
