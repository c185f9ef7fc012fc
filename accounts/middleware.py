from urllib.parse import quote

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.utils.translation import gettext as _

from . import two_factor

# Reachable before the second factor: entering it, setting it up, leaving, the language switch,
# single sign-on's return, and the probes of load balancers and Prometheus.
EXEMPT = {
    "two_factor_verify",
    "two_factor_setup",
    "logout",
    "login",
    "set_language",
    "sso_login",
    "sso_callback",
    "healthz",
    "readyz",
    "metrics",
}
PENDING = "kl14_second_factor_pending"


@receiver(user_logged_in)
def ask_second_factor(sender, request, user, **kwargs):
    """Decided once, when someone signs in (password or single sign-on): from then on every
    request of the session only reads a flag, so pages cost no extra query."""
    if request is not None and hasattr(request, "session"):
        if two_factor.needs_second_factor(user):
            request.session[PENDING] = True
        else:
            request.session.pop(PENDING, None)


def second_factor_done(request) -> None:
    request.session.pop(PENDING, None)


def second_factor_pending(request) -> bool:
    return bool(request.session.get(PENDING))


class TwoFactorMiddleware:
    """After signing in, whoever needs a second factor enters it before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and second_factor_pending(request):
            response = self._stop(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _stop(self, request, user):
        try:
            name = resolve(request.path_info).url_name
        except Exception:
            name = None
        if name in EXEMPT:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Enter your second factor in the web app first."),
                    "code": "second_factor_required",
                    "errors": {},
                },
                status=403,
            )
        target = "two_factor_verify" if two_factor.has_device(user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
