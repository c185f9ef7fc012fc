"""A bulkhead for the heavy pages (issue 12): the national dashboard, the API lists, the search.

Each web process lets at most `KL14_HEAVY_SLOTS` requests for the views named in
`KL14_HEAVY_VIEWS` run at once; the others wait (a thread each, taking no CPU) up to
`KL14_HEAVY_WAIT` seconds, then answer 503 with Retry-After. Every other page keeps the rest of
the process's threads and the rest of the machine's cores, so a crowd of organization boards
refreshing the national dashboard cannot starve a cadre opening their own proposals. It needs a
threaded server (gunicorn `-k gthread --threads N`, as the Dockerfile and docker-compose.yml run
it): with one sync thread per process, a waiting request would hold the only thread.

`KL14_HEAVY_SLOTS=0` turns the gate off. The count is per process: with W processes, at most
W × slots heavy requests run on the machine.
"""

import logging
import threading

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

_lock = threading.Lock()
_gate: tuple[int, threading.BoundedSemaphore] | None = None


def gate() -> threading.BoundedSemaphore | None:
    """This process's semaphore, sized by the settings (made again if they changed)."""
    global _gate
    slots = getattr(settings, "KL14_HEAVY_SLOTS", 1)
    if not slots:
        return None
    with _lock:
        if _gate is None or _gate[0] != slots:
            _gate = (slots, threading.BoundedSemaphore(slots))
        return _gate[1]


def busy_response(request, wait: float):
    message = _("Many people are opening this page right now. Please try again in a moment.")
    retry = str(max(1, round(wait)))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "busy", "errors": {}}, status=503)
    else:
        context = {"status": 503, "error": {"message": message}}
        response = render(request, "error.html", context, status=503)
    response["Retry-After"] = retry
    return response


class HeavyViewMiddleware:
    """Takes a slot before a heavy view reads (GET, HEAD; a write is never held back) and gives
    it back when its response is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            held = getattr(request, "_kl14_heavy_slot", None)
            if held is not None:
                held.release()
                request._kl14_heavy_slot = None

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        heavy = getattr(settings, "KL14_HEAVY_VIEWS", ())
        if request.method not in ("GET", "HEAD") or match is None or match.view_name not in heavy:
            return None
        semaphore = gate()
        if semaphore is None:
            return None
        wait = getattr(settings, "KL14_HEAVY_WAIT", 30)
        if not semaphore.acquire(timeout=wait):
            log.warning("heavy view %s refused after waiting %ss", match.view_name, wait)
            return busy_response(request, wait)
        request._kl14_heavy_slot = semaphore
        return None
