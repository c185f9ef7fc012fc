"""A write is done once, however many times it is sent.

A person double-clicks "Lưu và trình" on a slow day, a browser without JavaScript sends a form
again, a phone's network repeats a POST it thinks was lost, an API client retries after a
timeout: each would otherwise make a second proposal, a second report, a second token
(static/js/forms.js only stops a second click in a browser running it). So a write may carry a
one-time key:

- a form rendered with `{% once_field %}` carries a hidden `kl14_once` field, new at each
  rendering. Its key is that field with a fingerprint of what the form holds: the same form sent
  again is the same write; the form changed and sent again (the back button, new text) is a new one;
- an API client may send an `Idempotency-Key` header (at most 100 characters) with a POST, PUT,
  PATCH or DELETE. A key sent again with another body or to another address is refused (422), as
  is a longer one.

The key is claimed (ops.services.submission_claim, a unique row committed at once) before the view
runs. A copy sent while the first is under way waits for its answer (up to
KL14_SUBMISSION_WAIT seconds, then 409); a copy sent after it gets its answer: a form is redirected
where the first one was, with a message saying it was not done twice; an API client gets the first
response again, with `Idempotent-Replayed: true`. An answer worth giving again is a redirect for a
form and a 2xx for the API; any other (invalid input, a refusal, an error, a 503 after a deadlock)
frees the key, since nothing was done, and the same write may be sent again as it was. A claim
whose request died (its process killed) is taken over after KL14_SUBMISSION_STALE seconds. Keys are
forgotten after KL14_SUBMISSION_TTL (ops.purge_submissions).

Before kl14.transient's middleware, so that a write it runs again after a deadlock keeps its one
claim. The claim is its own transaction, not the write's: the view's services commit their own, and
the retry middleware only runs a write again outside any transaction.

Libraries considered: django-idempotency-key and drf-idempotency handle an API header only (the
first not past Django 4.2); neither knows forms nor a redirect to answer with.
"""

import hashlib
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import selectors, services

logger = logging.getLogger(__name__)

FIELD = "kl14_once"
HEADER = "Idempotency-Key"
MAX_KEY = 100
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
WRITES = ("INSERT", "UPDATE", "DELETE")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
# Never kept: what the API's sign-in answers is a token, a secret (knox keeps only its digest).
NEVER_KEPT = ("/api/v1/auth/",)
POLL = 0.1  # seconds between two looks at a claim under way
MAX_BODY = 1024 * 1024  # an API answer larger than this is not kept (the key is freed)
# Never part of the fingerprint: the CSRF token changes when its reader signs in again.
UNHASHED = frozenset({"csrfmiddlewaretoken", FIELD})


def new_key() -> str:
    return uuid.uuid4().hex


class SubmitOnceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in UNSAFE:
            return self.get_response(request)
        sent = _sent_key(request)
        if sent is None:
            return self.get_response(request)
        scope, key, fingerprint, api = sent
        if api and len(key) > MAX_KEY:
            return _api_error(
                _("The Idempotency-Key header is longer than %(n)d characters.") % {"n": MAX_KEY},
                "invalid_idempotency_key",
                422,
            )
        try:
            claim = services.submission_claim(
                scope=scope, key=key, fingerprint=fingerprint, path=request.path
            )
        except DatabaseError:
            # The database is out of reach: the view meets it too, and answers as it does.
            return self.get_response(request)
        if claim is None:
            return _answer_again(
                self.get_response, request, scope=scope, key=key, fingerprint=fingerprint, api=api
            )
        return _run(self.get_response, request, claim, api=api)


def _run(get_response, request, claim, *, api):
    writes = [0]

    def counted(execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() in WRITES:
            writes[0] += 1
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(counted):
            response = get_response(request)
    except BaseException:
        _settle(services.submission_release, claim)
        raise
    if not writes[0]:
        # Nothing was written (a redirect to the sign-in or two-factor page, a form refused):
        # nothing to answer again; sent again, it runs.
        pass
    elif api and 200 <= response.status_code < 300 and not response.streaming:
        body = response.content
        if len(body) <= MAX_BODY:
            _settle(
                services.submission_complete,
                claim,
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", ""),
                body=body,
            )
            return response
    elif not api and 300 <= response.status_code < 400 and response.has_header("Location"):
        _settle(
            services.submission_complete,
            claim,
            status=response.status_code,
            location=response["Location"],
        )
        return response
    _settle(services.submission_release, claim)
    return response


def _settle(service, claim, **fields):
    """Records the write's end. The write itself is done (or not) whatever happens here: if the
    database went away meanwhile, the claim stays without an answer, and a copy sent later runs
    once the claim is stale, rather than this answer being lost."""
    try:
        service(claim, **fields)
    except DatabaseError:
        logger.warning("could not record the end of write %s", claim.key, exc_info=True)


def _answer_again(get_response, request, *, scope, key, fingerprint, api):
    """The key is taken: by this same write, done (its answer again) or under way (wait for it),
    by a claim whose request died (run it), or, for the API, by another write (422)."""
    deadline = time.monotonic() + settings.KL14_SUBMISSION_WAIT
    while True:
        first = selectors.submission_of(scope=scope, key=key)
        if first is None:  # released meanwhile: nothing was done; this copy may run
            claim = services.submission_claim(
                scope=scope, key=key, fingerprint=fingerprint, path=request.path
            )
            if claim is not None:
                return _run(get_response, request, claim, api=api)
            continue
        if first.fingerprint != fingerprint or first.path != request.path[:500]:
            return _api_error(
                _(
                    "This Idempotency-Key was already used for another request. Use a new key "
                    "for each new write."
                ),
                "idempotency_key_reused",
                422,
            )
        if first.status is not None:
            return _replay(request, first, api=api)
        stale_before = timezone.now() - timedelta(seconds=settings.KL14_SUBMISSION_STALE)
        if first.claimed_at < stale_before and services.submission_take_over(
            first, stale_before=stale_before
        ):
            return _run(get_response, request, first, api=api)
        if time.monotonic() >= deadline:
            return _still_under_way(request, api=api)
        time.sleep(POLL)


def _replay(request, first, *, api):
    if api:
        response = HttpResponse(
            bytes(first.body), status=first.status, content_type=first.content_type or None
        )
        if first.location:
            response["Location"] = first.location
        response["Idempotent-Replayed"] = "true"
        return response
    messages.info(
        request,
        _(
            "This form had already been sent, and what it asked for was done then. It was not "
            "done a second time: here is its result."
        ),
    )
    location = first.location
    # Only ever an address of this site: a row changed behind the app's back (SQL access) does
    # not make KL14 send its people elsewhere.
    if not url_has_allowed_host_and_scheme(
        location, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        location = "/"
    response = HttpResponseRedirect(location)
    response.status_code = 303  # See Other: the browser reads the result, it posts nothing
    return response


def _still_under_way(request, *, api):
    message = _(
        "This form was sent a moment ago and is still being processed. Wait a few seconds, "
        "then open the page again to see its result; do not send it again."
    )
    if api:
        return _api_error(message, "in_progress", 409)
    return render(request, "error.html", {"status": 409, "error": {"message": message}}, status=409)


def _api_error(message, code, status):
    return JsonResponse({"detail": message, "code": code, "errors": {}}, status=status)


def _sent_key(request):
    """(scope, key, fingerprint, api) of a write sent with a one-time key, else None."""
    header = request.headers.get(HEADER)
    if header is not None and request.path.startswith("/api/"):
        if request.path.startswith(NEVER_KEPT):
            return None
        scope = _api_scope(request)
        if scope is None:
            return None  # not signed in: the view refuses it
        try:
            if request.content_type == "multipart/form-data":
                body = _form_digest(request)
            else:
                body = request.body
        except Exception:  # too large, or malformed: the view answers it as usual
            return None
        digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
        digest.update(body)
        return scope, header.strip(), digest.hexdigest(), True
    if request.content_type not in FORMS:
        return None
    try:
        token = request.POST.get(FIELD)
    except Exception:  # a malformed body: the view answers it as usual
        return None
    if not token or len(token) > 40:
        return None
    user = getattr(request, "user", None)
    scope = f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(_form_digest(request))
    fingerprint = digest.hexdigest()
    # The same form with other contents is another write: its own key.
    return scope, f"{token}.{fingerprint[:40]}", fingerprint, False


def _api_scope(request):
    """Whose key: the signed-in person, or the bearer of the API token (a digest of it: the
    middleware runs before DRF authenticates the token). Two clients never share keys."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.headers.get("Authorization")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return None


def _form_digest(request) -> bytes:
    digest = hashlib.sha256()
    for name in sorted(request.POST):
        if name in UNHASHED:
            continue
        for value in request.POST.getlist(name):
            digest.update(f"{name}={value}\x00".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}:{upload.name}:{upload.size}\x00".encode())
    return digest.digest()
