"""A bulkhead for the heavy pages (issue 12): the national dashboard, the API lists, the search.

At most `KL14_HEAVY_SLOTS` requests for the views named in `KL14_HEAVY_VIEWS` run at once on the
machine (all web processes together; by default one less than its cores, at least one); the
others wait (a thread each; only as many threads per process as there are slots look for a free
one, every five milliseconds, the rest sleep) up to `KL14_HEAVY_WAIT` seconds, then answer 503 with
Retry-After. The rest of the cores stay for every other page, so a crowd of organization boards
refreshing the national dashboard cannot starve a cadre opening their own proposals. It needs a
threaded server (gunicorn `-k gthread --threads N`, `gunicorn.conf.py`): with one sync thread per
process, a waiting request would hold the only thread.

A slot is an exclusive `flock` on one of `KL14_HEAVY_SLOTS` files in `KL14_HEAVY_LOCK_DIR` (a
directory of the machine or container; the kernel frees the lock of a process that dies), taken
by one thread of the process at a time (a thread lock per slot). `KL14_HEAVY_SLOTS=0` turns the
gate off.
"""

import fcntl
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

POLL = 0.005  # seconds between two looks at the slots while waiting


class Gate:
    """The machine's slots, as seen from this process."""

    def __init__(self, slots: int, directory: str):
        self.slots = slots
        self.directory = directory
        Path(directory).mkdir(parents=True, exist_ok=True)
        self._threads = [threading.Lock() for _ in range(slots)]
        # At most `slots` threads of this process hold or look for a slot; the others wait here,
        # asleep (no polling: a crowd of waiting threads would take the GIL from the running
        # ones hundreds of times a second).
        self._seekers = threading.BoundedSemaphore(slots)
        self._files = [
            os.open(os.path.join(directory, f"slot-{i}"), os.O_RDWR | os.O_CREAT, 0o600)
            for i in range(slots)
        ]

    def acquire(self, timeout: float) -> int | None:
        """A slot's number once one is free, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        if not self._seekers.acquire(timeout=timeout):
            return None
        while True:
            for number, (thread_lock, fd) in enumerate(
                zip(self._threads, self._files, strict=True)
            ):
                if not thread_lock.acquire(blocking=False):
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    thread_lock.release()
                    continue
                return number
            if time.monotonic() >= deadline:
                self._seekers.release()
                return None
            time.sleep(POLL)

    def release(self, number: int) -> None:
        fcntl.flock(self._files[number], fcntl.LOCK_UN)
        self._threads[number].release()
        self._seekers.release()


_lock = threading.Lock()
_gate: Gate | None = None


def gate() -> Gate | None:
    """This process's view of the machine's slots (made again if the settings changed)."""
    global _gate
    slots = getattr(settings, "KL14_HEAVY_SLOTS", 1)
    if not slots:
        return None
    directory = settings.KL14_HEAVY_LOCK_DIR
    with _lock:
        if _gate is None or (_gate.slots, _gate.directory) != (slots, directory):
            _gate = Gate(slots, directory)
        return _gate


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
                held[0].release(held[1])
                request._kl14_heavy_slot = None

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        heavy = getattr(settings, "KL14_HEAVY_VIEWS", ())
        if request.method not in ("GET", "HEAD") or match is None or match.view_name not in heavy:
            return None
        slots = gate()
        if slots is None:
            return None
        wait = getattr(settings, "KL14_HEAVY_WAIT", 30)
        number = slots.acquire(timeout=wait)
        if number is None:
            log.warning("heavy view %s refused after waiting %ss", match.view_name, wait)
            return busy_response(request, wait)
        request._kl14_heavy_slot = (slots, number)
        return None
