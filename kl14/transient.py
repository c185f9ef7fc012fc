"""A write that the database refused for a passing reason is run again, not shown as an error.

PostgreSQL aborts one of two transactions that wait for each other (a deadlock: a request that
holds a proposal and waits for roll-up counters another connection holds, while that one waits
for the proposal), a transaction it cannot serialize, or one that waited too long for a lock;
SQLite answers "database is locked" past its busy timeout. Each write of KL14 is one transaction
(services.py), so the aborted request changed nothing and can simply be run again: up to RETRIES
times, after a short pause. An upload is run again with its files read from their start (the
services store a copy, kl14.files.stored_copy, so a large upload's temporary file stays); a file
the first attempt stored stays behind, unreferenced, until kl14.files.orphan_uploads_delete. What
still fails, and what cannot be run again (a body that was not kept; an upload whose file was
closed or whose temporary file is gone), answers 503 with Retry-After and says that nothing was
saved; a form posted from a page is kept on that 503 page, to be sent again (resendable). Reads
are not run again: they answer 503.
"""

import contextlib
import logging
import os
import re
import sqlite3
import time

from django.core.exceptions import RequestDataTooBig
from django.db import connections
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _

from kl14.errors import unavailable

# deadlock_detected, serialization_failure, lock_not_available (PostgreSQL's SQLSTATE codes).
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
RETRIES = 2
PAUSE = 0.05  # seconds before the first retry; doubled before the next
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

logger = logging.getLogger(__name__)


def is_transient(error: BaseException | None) -> bool:
    """Whether the error, or one that caused it, is a refusal worth running the write again."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


# Fields never written back into a page: what a person typed to prove who they are.
SECRET_FIELD = re.compile(r"password|token|otp|secret|^code$", re.IGNORECASE)
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def busy_response(request):
    message = _(
        "The database was busy with other changes, and nothing was saved. "
        "Please try again in a moment."
    )
    return unavailable(request, message, retry_after=1, resend=resendable(request))


def resendable(request) -> list[tuple[str, str]] | None:
    """The fields of a form posted from a page, for the 503 page to send again as they were (a
    button, the fields hidden), so that what the person wrote is not lost; None when it cannot:
    the API, files (a page cannot hold them), a password or a one-time code, or a body no longer
    readable. The CSRF token is left out: the page adds its own."""
    if request.path.startswith("/api/") or request.method != "POST":
        return None
    if request.content_type not in FORMS:
        return None
    if not (hasattr(request, "_post") or hasattr(request, "_body")):
        return None  # read as a stream: request.POST would be empty, not what was sent
    if request.FILES:
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    if any(SECRET_FIELD.search(name) for name, _ in fields):
        return None
    return fields


class TransientRetryMiddleware:
    """The last of the middleware: its process_exception is the first to see what a view raised,
    and its get_response runs the view again through the same handler (resolving, the other
    middleware's view and exception hooks, rendering), while the middleware around it (the
    session, the cookies, the messages) runs once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in UNSAFE and request.content_type != "multipart/form-data":
            # Kept, so that the view can read it again; not when it was already read as a
            # stream, or is too large to keep (then this request is not run again).
            with contextlib.suppress(RawPostDataException, RequestDataTooBig):
                request.body  # noqa: B018
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_transient(exception):
            return None
        if any(connection.in_atomic_block for connection in connections.all()):
            return None  # inside a transaction of the caller's (a test's): it decides
        attempt = getattr(request, "_kl14_attempt", 0)
        if attempt >= RETRIES or not _runs_again(request):
            logger.warning("%s %s not saved: %r", request.method, request.path, exception)
            return busy_response(request)
        logger.info("%s %s run again after %r", request.method, request.path, exception)
        request._kl14_attempt = attempt + 1
        time.sleep(PAUSE * 2**attempt)
        return self.get_response(request)


def _runs_again(request) -> bool:
    """A write whose body the view can read again: kept (see __call__), parsed into request.POST
    already (a form, with its files rewound; DRF reads them from there too), or not read at all."""
    if request.method not in UNSAFE:
        return False
    if hasattr(request, "_files") and not _rewound(request.FILES):
        return False
    return hasattr(request, "_body") or hasattr(request, "_post") or not request._read_started


def _rewound(files) -> bool:
    """Whether every uploaded file can be read again from its start, and if so each is rewound.
    One kept in memory can; one on disk only while its temporary file is still there (the
    services store a copy, kl14.files.stored_copy; a storage given the upload itself would move
    or delete it)."""
    uploads = [upload for _, listed in files.lists() for upload in listed]
    for upload in uploads:
        if upload.closed:
            return False
        path = getattr(upload, "temporary_file_path", None)
        if path is not None and not os.path.exists(path()):
            return False
    for upload in uploads:
        upload.seek(0)
    return True
