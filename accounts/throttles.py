"""Limits on password guesses, shared by the API's token endpoint and the sign-in page."""

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenThrottle(SimpleRateThrottle):
    """Password guesses per client address, signed in or not. The address is the socket's
    (REMOTE_ADDR) unless NUM_PROXIES says how many trusted proxies add X-Forwarded-For, so a
    client cannot reset its count by sending a header of its own."""

    scope = "token"

    def get_ident(self, request):
        if api_settings.NUM_PROXIES:
            return super().get_ident(request)
        return request.META.get("REMOTE_ADDR") or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenUsernameThrottle(SimpleRateThrottle):
    """Password guesses per account, from any number of addresses."""

    scope = "token_user"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", "")).strip().lower()
        if not username:
            return None
        ident = hashlib.sha256(username.encode()).hexdigest()  # any text is a safe cache key
        return self.cache_format % {"scope": self.scope, "ident": ident}


class _Attempt:
    """What the throttles read of a sign-in page request (they are written for DRF's)."""

    def __init__(self, request):
        self.META = request.META
        self.data = request.POST


def sign_in_allowed(request) -> bool:
    """Counts this sign-in attempt; False once the address or the account has had too many."""
    attempt = _Attempt(request)
    return all(throttle().allow_request(attempt, None) for throttle in SIGN_IN_THROTTLES)


SIGN_IN_THROTTLES = (TokenThrottle, TokenUsernameThrottle)
