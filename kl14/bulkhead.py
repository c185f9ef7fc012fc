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

Duty cycle, in a crowd: while more heavy reads want a slot than there are slots (a reader found
none free in the last `CROWD_WINDOW` seconds, in any process), a slot computes them at most
`KL14_HEAVY_DUTY` of the time (a fraction, 1: no limit). A read that held it for t seconds then
costs the slot t / duty seconds (its time and a rest of t × (1 / duty − 1), at most `MAX_REST`),
counted from when it began; the account, a date in the slot's file so that every process sees it,
runs down in real time, and a reader waits while the slot owes more than `BURST` beyond now. At
duty 0.5 a crowd of dashboards takes half a core (with the database's share of it), not a whole
one, so the everyday pages keep the rest; a reader alone, or one person's reads in a row, never
wait.
"""

import fcntl
import logging
import os
import struct
import threading
import time
import weakref
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from kl14.errors import unavailable

log = logging.getLogger(__name__)

POLL = 0.005  # seconds between two looks at the slots while waiting
MAX_REST = 1.0  # seconds of rest one read owes at most (the duty cycle)
BURST = 0.25  # seconds of rest a slot may owe before its next reader waits
CROWD_WINDOW = 1.0  # seconds a reader's finding no free slot counts as a crowd
# A slot file holds when its debt is paid; the first one also when a reader last found no free
# slot (both CLOCK_MONOTONIC, the same for every process of the machine).
_REST = struct.Struct("d")
_CROWD_AT = _REST.size


class Gate:
    """The machine's slots, as seen from this process."""

    def __init__(self, slots: int, directory: str, duty: float = 1.0):
        if not 0 < duty <= 1:
            raise ValueError(f"KL14_HEAVY_DUTY must be in (0, 1], not {duty}")
        self.slots = slots
        self.directory = directory
        self.duty = duty
        Path(directory).mkdir(parents=True, exist_ok=True)
        self._threads = [threading.Lock() for _ in range(slots)]
        # At most `slots` threads of this process hold or look for a slot; the others wait here,
        # asleep (no polling: a crowd of waiting threads would take the GIL from the running
        # ones hundreds of times a second).
        self._seekers = threading.BoundedSemaphore(slots)
        # Threads of this process asleep above, waiting for a turn (a crowd while there are any).
        self._waiting = 0
        self._count = threading.Lock()
        self._files = [
            os.open(os.path.join(directory, f"slot-{i}"), os.O_RDWR | os.O_CREAT, 0o600)
            for i in range(slots)
        ]
        # A gate replaced after a settings change (gate()) closes its files once the last request
        # holding one of its slots has let go of it (the request keeps the gate until then).
        weakref.finalize(self, _close_files, list(self._files))

    def acquire(self, timeout: float) -> int | None:
        """A slot's number once one is free, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        if not self._seekers.acquire(blocking=False):
            self._crowd()
            with self._count:
                self._waiting += 1
            try:
                if not self._seekers.acquire(timeout=timeout):
                    return None
            finally:
                with self._count:
                    self._waiting -= 1
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
                self._rest(fd, deadline)
                return number
            self._crowd()
            if time.monotonic() >= deadline:
                self._seekers.release()
                return None
            time.sleep(POLL)

    def _crowd(self) -> None:
        """Notes, for every process, that a reader found no free slot just now."""
        if self.duty < 1:
            os.pwrite(self._files[0], _REST.pack(time.monotonic()), _CROWD_AT)

    def crowded(self) -> bool:
        raw = os.pread(self._files[0], _REST.size, _CROWD_AT)
        seen = _REST.unpack(raw)[0] if len(raw) == _REST.size else float("-inf")
        return time.monotonic() - seen <= CROWD_WINDOW

    @staticmethod
    def _paid_at(fd: int) -> float:
        raw = os.pread(fd, _REST.size, 0)
        return _REST.unpack(raw)[0] if len(raw) == _REST.size else 0.0

    def _rest(self, fd: int, deadline: float) -> None:
        """Waits, holding the slot, until it owes no more than BURST (not past `deadline`)."""
        now = time.monotonic()
        start = self._paid_at(fd) - BURST
        if start > now:
            time.sleep(min(start, deadline) - now)

    def release(self, number: int, busy: float = 0.0) -> None:
        """Gives the slot back after a read that held it `busy` seconds. In a crowd, the read's
        cost at the duty cycle (its time and its rest) is added to the slot's account from when it
        began, so the time a read computes never pays off the debt of the ones before it."""
        if self._waiting:
            self._crowd()
        if self.duty < 1 and self.crowded():
            fd = self._files[number]
            now = time.monotonic()
            cost = busy + min(busy * (1 / self.duty - 1), MAX_REST)
            os.pwrite(fd, _REST.pack(max(self._paid_at(fd), now - busy) + cost), 0)
        fcntl.flock(self._files[number], fcntl.LOCK_UN)
        self._threads[number].release()
        self._seekers.release()


def _close_files(files: list[int]) -> None:
    for fd in files:
        os.close(fd)  # the kernel frees any lock still held through it


_lock = threading.Lock()
_gate: Gate | None = None


def gate() -> Gate | None:
    """This process's view of the machine's slots (made again if the settings changed)."""
    global _gate
    slots = getattr(settings, "KL14_HEAVY_SLOTS", 1)
    if not slots:
        return None
    directory = settings.KL14_HEAVY_LOCK_DIR
    duty = getattr(settings, "KL14_HEAVY_DUTY", 1.0)
    with _lock:
        if _gate is None or (_gate.slots, _gate.directory, _gate.duty) != (slots, directory, duty):
            _gate = Gate(slots, directory, duty)
        return _gate


def busy_response(request, wait: float):
    message = _("Many people are opening this page right now. Please try again in a moment.")
    return unavailable(request, message, retry_after=max(1, round(wait)))


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
                slots, number, started = held
                slots.release(number, busy=time.monotonic() - started)
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
        request._kl14_heavy_slot = (slots, number, time.monotonic())
        return None
