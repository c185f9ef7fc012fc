"""A write is done once, however many times it is sent.

A person double-clicks "Lưu và trình" on a slow day, a browser without JavaScript sends a form
again, a phone's network repeats a POST it thinks was lost, an API client retries after a
timeout: each would otherwise make a second proposal, a second report, a second token
(static/js/forms.js only stops a second click in a browser running it). So a write may carry a
one-time key:

- a form rendered with `{% once_field %}` carries a hidden `kl14_once` field, new at each
  rendering. Its key is that field with a fingerprint of what the form holds: the same form sent
  again is the same write; the form changed and sent again (the back button, new text) is a new one;
- an API client may send an `Idempotency-Key` header (1 to 100 characters) with a POST, PUT, PATCH
  or DELETE. Keys are each person's: the sender is who the API's own authentication says (the
  token first, then the session). A key sent again with another body or to another address is
  refused (422), as is an empty or longer one.

The key is claimed (ops.services.submission_claim, a unique row committed at once) before the view
runs. A copy sent while the first is under way waits for its answer (up to KL14_SUBMISSION_WAIT
seconds, then 409); a copy sent after it gets its answer: a form is redirected where the first one
went (or shown the page it answered with, such as "Lưu và trình" whose draft was saved but whose
sections are missing), with a message saying it was not done twice; an API client gets the first
response again, with `Idempotent-Replayed: true`.

Whether the first copy did anything is what the database says: an INSERT, UPDATE or DELETE whose
transaction committed (a statement rolled back, as in a deadlock run again, did nothing). A view
that wrote has its answer kept, whatever it is (a file, or an answer over 1 MB: that it was done).
One that wrote nothing (invalid input, a refusal, a redirect to the sign-in or two-factor page, an
error, a 503 after a deadlock) frees the key: the same form may be sent again as it was, and the 503
and CSRF pages' "Gửi lại" do so. A claim still without an answer after KL14_SUBMISSION_STALE seconds
(its process was killed, or the database went away before the answer was recorded) is never run
again on a guess: a copy is told that whether it was done is not known, and offered to send the form
again as a new one. Keys are forgotten after KL14_SUBMISSION_TTL (ops.purge_submissions).

Before kl14.transient's middleware, so that a write it runs again after a deadlock keeps its one
claim. The claim is its own transaction, not the write's: the view's services commit their own, and
the retry middleware only runs a write again outside any transaction. A claim the database refuses
(SQLite still locked after its timeout, PostgreSQL out of reach) answers 503, the form kept: without
its claim a copy could be done twice.

Libraries considered: django-idempotency-key and drf-idempotency handle an API header only (the
first not past Django 4.2); neither knows forms nor a redirect to answer with.
"""

import hashlib
import json
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kl14.transient import busy_response, resendable

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
MAX_BODY = 1024 * 1024  # an answer larger than this is not kept: only that the write was done
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
        if api and not 0 < len(key) <= MAX_KEY:
            return _api_error(
                _("The Idempotency-Key header must have 1 to %(n)d characters.") % {"n": MAX_KEY},
                "invalid_idempotency_key",
                422,
            )
        try:
            claim = services.submission_claim(
                scope=scope, key=key, fingerprint=fingerprint, path=request.path
            )
            if claim is None:
                answer, claim = _answer_again(
                    request, scope=scope, key=key, fingerprint=fingerprint, api=api
                )
                if answer is not None:
                    return answer
        except DatabaseError:
            # Without its claim, a copy could be done twice: nothing is done (503, the form kept).
            logger.warning("could not claim write %s", key, exc_info=True)
            return busy_response(request)
        return _run(self.get_response, request, claim, api=api)


def _run(get_response, request, claim, *, api):
    committed = [False]

    def counted(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip()[:6].upper() in WRITES:
            # Once its transaction commits (at once outside one): a write rolled back (a
            # deadlock run again, a service that refused after an UPDATE) did nothing.
            transaction.on_commit(lambda: committed.__setitem__(0, True))
        return result

    try:
        with connection.execute_wrapper(counted):
            response = get_response(request)
    except BaseException:
        # Raised past every handler (an interrupt): freed only if nothing was written.
        if committed[0]:
            _settle(services.submission_complete, claim, status=500, kept=False)
        else:
            _settle(services.submission_release, claim)
        raise
    if not committed[0]:
        # Nothing was written (a redirect to the sign-in or two-factor page, a form refused, a
        # 503): nothing to answer again; sent again as it was, it runs.
        _settle(services.submission_release, claim)
    elif 300 <= response.status_code < 400 and response.has_header("Location"):
        _settle(
            services.submission_complete,
            claim,
            status=response.status_code,
            location=response["Location"],
        )
    elif not response.streaming and len(response.content) <= MAX_BODY:
        # Whatever it answered, it wrote: "Lưu và trình" saves the draft, then answers 400 with
        # the sections still missing. A copy gets the same page, and no second draft.
        _settle(
            services.submission_complete,
            claim,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            location=response.get("Location", ""),
            body=response.content,
        )
    else:  # a file, or too large to keep: done, and said so to a copy
        _settle(services.submission_complete, claim, status=response.status_code, kept=False)
    return response


def _settle(service, claim, **fields):
    """Records the write's end. The write itself is done (or not) whatever happens here: if the
    database went away meanwhile, the claim stays without an answer, and a copy sent later is
    told that what became of the first cannot be known (never run a second time)."""
    try:
        service(claim, **fields)
    except DatabaseError:
        logger.warning("could not record the end of write %s", claim.key, exc_info=True)


def _answer_again(request, *, scope, key, fingerprint, api):
    """The key is taken: by this same write, done (its answer again) or under way (wait for its
    answer), or, for the API, by another write (422). A claim freed meanwhile (the first did
    nothing) is claimed again, and this copy runs: (answer, None) or (None, its claim)."""
    deadline = time.monotonic() + settings.KL14_SUBMISSION_WAIT
    while True:
        first = selectors.submission_of(scope=scope, key=key)
        if first is None:  # freed meanwhile: nothing was done; this copy may run
            claim = services.submission_claim(
                scope=scope, key=key, fingerprint=fingerprint, path=request.path
            )
            if claim is not None:
                return None, claim
            continue
        if first.fingerprint != fingerprint or first.path != request.path[:500]:
            message = _(
                "This Idempotency-Key was already used for another request. Use a new key for "
                "each new write."
            )
            return _api_error(message, "idempotency_key_reused", 422), None
        if first.status is not None:
            return _replay(request, first, api=api), None
        if time.monotonic() >= deadline:
            stale = timezone.now() - timedelta(seconds=settings.KL14_SUBMISSION_STALE)
            return _still_under_way(request, api=api, unknown=first.claimed_at < stale), None
        time.sleep(POLL)


def _replay(request, first, *, api):
    if not first.kept:
        return _still_under_way(request, api=api, done=True)
    if api:
        response = HttpResponse(
            bytes(first.body), status=first.status, content_type=first.content_type or None
        )
        if not first.content_type:
            del response["Content-Type"]  # as the first answer had none (a 204), not text/html
        if first.location:
            response["Location"] = first.location
        response["Idempotent-Replayed"] = "true"
        return response
    if not first.location:
        # The page it answered with (a form with its errors, its messages in it), again; a
        # message added now would only show on the next page.
        return HttpResponse(
            bytes(first.body), status=first.status, content_type=first.content_type or None
        )
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


def _still_under_way(request, *, api, unknown=False, done=False):
    """409: the first copy is still under way; or it was done but its answer (a file) is not
    kept; or its request ended without a word (its process was killed, or the database went
    away before its answer was recorded): whether it was done cannot be told here, and it is
    never run a second time on a guess. The person checks, and may send the form again as a
    new one (its fields kept on the page, with a new key)."""
    resend = None
    if done:
        code, title = "already_done", _("Already done")
        message = _(
            "This form had already been sent, and what it asked for was done then. It was not "
            "done a second time; open the page again to see the result."
        )
    elif unknown:
        code, title = "outcome_unknown", _("Outcome not known")
        message = _(
            "This form was sent before, but its processing ended without an answer, so whether "
            "it was saved is not known. It was not sent a second time. Check the list (for "
            "example your proposals); if it is not there, send it again as a new form."
        )
        fields = resendable(request)
        if fields is not None:
            resend = [(n, new_key() if n == FIELD else v) for n, v in fields]
    else:
        code, title = "in_progress", _("Still being processed")
        message = _(
            "This form was sent a moment ago and is still being processed. Wait a few seconds, "
            "then open the page again to see its result; do not send it again."
        )
    if api:
        return _api_error(message, code, 409)
    # Its own title: "the action was not carried out" would be wrong when it was (already_done).
    context = {"status": 409, "title": title, "error": {"message": message}}
    if resend is not None:
        context["resend"] = {"action": request.get_full_path(), "fields": resend}
    return render(request, "error.html", context, status=409)


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
            if request.method == "POST" and request.content_type == "multipart/form-data":
                body = _form_digest(request)  # parsed already (StrictEncodingMiddleware)
            else:
                body = _json_digest(request.body) if _is_json(request) else request.body
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
    """Whose key: whoever the API's own authentication says sent it (the token first, then the
    session, as DRF tries them), so that a key is never shared between two people and a revoked
    token or a closed account gets no answer again. None: not signed in (the view refuses it)."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    authenticators = [auth() for auth in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    try:
        user = Request(request, authenticators=authenticators).user
    except APIException:
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return f"user:{user.pk}"


def _is_json(request) -> bool:
    kind = request.content_type or ""
    return kind == "application/json" or kind.endswith("+json")


def _json_digest(body: bytes) -> bytes:
    """A JSON body as what it says, not how it is written: the same object with its keys in
    another order or other spacing is the same write (as Stripe compares a retry's parameters).
    A body that is not JSON is taken as it is: the view refuses it."""
    try:
        data = json.loads(body)
    except ValueError:
        return body
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


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
