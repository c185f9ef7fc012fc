import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from units.roles import user_roles
from units.selectors import memberships_of

from . import navigation
from .celery import app as celery_app
from .drf import error_body

logger = logging.getLogger(__name__)


@login_required
def home(request):
    roles = user_roles(request.user)
    return render(
        request,
        "home.html",
        {
            "memberships": memberships_of(request.user),
            "roles": roles.roles(),
            "sections": [i for i in navigation.items_for_request(request) if i["key"] != "home"],
        },
    )


def _check(name, probe) -> dict:
    try:
        detail = probe() or {}
    except Exception as error:  # any failure of a dependency is "unavailable", named
        logger.warning("readyz: %s unavailable: %s", name, error)
        return {"status": "unavailable", "error": type(error).__name__}
    return {"status": detail.pop("status", "ok"), **detail}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker():
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _cache():
    from django.core.cache import cache

    if hasattr(cache, "ping"):  # Redis (kl14.cache.ResilientRedisCache)
        cache.ping()
    return {"backend": type(cache).__name__}


def _outbox():
    """The e-mail outbox's backlog (notifications.selectors.outbox_backlog, when it exists): late
    when its oldest unsent e-mail waits longer than KL14_READY_OUTBOX_MAX_AGE seconds. A late
    outbox delays e-mail, it loses none: it does not make the app unready."""
    try:
        from notifications.selectors import outbox_backlog
    except ImportError:
        return {"status": "absent"}
    backlog = outbox_backlog().as_dict()
    age = backlog.get("oldest_pending_age") or 0
    late = age > settings.KL14_READY_OUTBOX_MAX_AGE or backlog.get("failed")
    return {"status": "late" if late else "ok", **backlog}


def favicon(request):
    """Browsers ask for /favicon.ico on their own: send them to the static icon."""
    return redirect(static("favicon.ico"), permanent=True)


@never_cache
def healthz(request):
    """Liveness: the process answers requests. Nothing else is checked: restarting the process
    would not bring a database back."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness, naming each dependency. 503 only without the database: with the broker or the
    cache (Redis) down people still sign in and save their work ("degraded"), tasks and e-mail
    wait in the outbox."""
    checks = {
        "database": _check("database", _database),
        "broker": _check("broker", _broker),
        "cache": _check("cache", _cache),
        "outbox": _check("outbox", _outbox),
    }
    if checks["database"]["status"] != "ok":
        status = "unavailable"
    elif all(c["status"] in ("ok", "absent") for c in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    body = {"status": status, "checks": checks}
    return JsonResponse(body, status=503 if status == "unavailable" else 200)


# --- errors outside the views: JSON under /api/ (api.md's error format), pages elsewhere ---


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


def page_not_found(request, exception):
    """handler404: a URL that matches no route (e.g. `/api/v1/proposals/-1/`), or Http404 outside
    DRF's views."""
    if _api(request):
        return JsonResponse(error_body(_("Not found."), "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse(error_body(_("A server error occurred."), "error"), status=500)
    return defaults.server_error(request)
