"""Sign-in limits (django-axes, in the database: they hold while Redis is down). Only failed
sign-ins count, per client address and per account, on the sign-in page and the token endpoint
alike; a locked-out address or account gets 429 until the cool-off ends."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def client_address(request) -> str:
    """The socket's address, unless KL14_NUM_PROXIES trusted proxies add X-Forwarded-For: then the
    address they saw (the right-most ones are theirs), so a client cannot pick its own."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR") or "unknown"


def message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.") % {
        "minutes": minutes
    }


def lockout_response(request, original_response=None, credentials=None):
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        body = {"detail": message(), "code": "throttled", "errors": {}}
        response = JsonResponse(body, status=429)
    else:
        from django.contrib.auth.forms import AuthenticationForm

        form = AuthenticationForm(request, data=request.POST or None)
        response = TemplateResponse(
            request,
            "registration/login.html",
            {"form": form, "throttled": True, "throttle_message": message()},
            status=429,
        )
        response.render()
    response["Retry-After"] = retry_after
    return response


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, first in AUTHENTICATION_BACKENDS: refuses a locked-out address or
    account before any password is checked. A call without a request (Django's test client's
    login(), a management command) has no address to count and passes on to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
