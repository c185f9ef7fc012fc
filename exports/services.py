"""Writes of the exports app: asking for an export (the request's transaction writes the job and
hands it to a worker once it commits), building it (a worker), the sweep that hands over again
what the broker lost, and the purge of expired files.

Building is safe from any number of workers at once: a worker first claims the job (a conditional
UPDATE that only one wins, with a lease), builds outside any transaction while reporting its
progress, then records the file in a transaction that checks its claim still stands. A worker
that dies leaves a lease that runs out; the sweep then hands the job to another."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import person_lock
from kl14.errors import Conflict, DomainError, NotFound
from notifications.models import NotificationKind
from notifications.services import notifications_create

from . import kinds
from .models import ExportJob

log = logging.getLogger(__name__)


def _setting(name, default):
    return getattr(settings, name, default)


def ttl() -> timedelta:
    return timedelta(seconds=_setting("KL14_EXPORT_TTL", 24 * 3600))


def _key(kind: str, params: dict, language: str) -> str:
    text = json.dumps([kind, params, language], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- asking (the request) -------------------------------------------------------------------


def export_request(*, actor, kind: str, params: dict, language: str | None = None):
    """Checks that the actor may have this export and writes its job, handed to a worker once
    the transaction commits. The same export asked again while one is under way is that one.
    Returns (job, created)."""
    spec = kinds.get(kind)
    request = spec.clean(actor, dict(params or {}))
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return _request(actor, spec, request, language)


export_request.alters_data = True


def export_file_or_request(*, actor, kind: str, params: dict, language: str | None = None):
    """For the old download addresses that scripts GET: the finished file of the same export
    while it has not expired and is still what a new one would hold, else the job under way, else
    a new job. Returns the job (done, or in flight)."""
    spec = kinds.get(kind)
    request = spec.clean(actor, dict(params or {}))
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    done = (
        ExportJob.objects.filter(
            requested_by=actor,
            key=_key(spec.name, request.params, language),
            status=ExportJob.Status.DONE,
            expires_at__gt=timezone.now(),
        )
        .order_by("-finished_at", "-pk")
        .first()
    )
    if done is not None and done.file and spec.is_current(done):
        return done
    job, _created = _request(actor, spec, request, language)
    return job


export_file_or_request.alters_data = True


def _request(actor, spec, request, language):
    key = _key(spec.name, request.params, language)
    with transaction.atomic():
        # One request of the person at a time: twelve sent at once had all counted the jobs
        # under way before any was added (8 queued against a limit of 5, and the same file twice).
        person_lock(actor)
        mine = ExportJob.objects.filter(requested_by=actor)
        same = mine.filter(key=key, status__in=ExportJob.IN_FLIGHT).order_by("-pk").first()
        if same is not None:
            return same, False
        limit = _setting("KL14_EXPORT_MAX_IN_FLIGHT", 5)
        if mine.filter(status__in=ExportJob.IN_FLIGHT).count() >= limit:
            raise Conflict(
                _(
                    "You already have %(count)d exports being prepared. Wait until one of them "
                    "is ready, then ask again."
                )
                % {"count": limit},
                code="too_many_exports",
            )
        now = timezone.now()
        job = ExportJob.objects.create(
            requested_by=actor,
            kind=spec.name,
            params=request.params,
            key=key,
            title=request.title[:300],
            language=language,
            next_attempt_at=now,
            created_at=now,
            expires_at=now + ttl(),
        )
        dispatch_on_commit([job.pk])
    return job, True


def dispatch_on_commit(ids) -> None:
    transaction.on_commit(lambda: dispatch(ids), robust=True)


def dispatch(ids) -> int:
    """Hands the jobs to the broker. One it refuses is logged and stays due: beat's sweep hands
    it over later, so an outage only delays the file. Returns how many the broker took."""
    from .tasks import build_export

    taken = 0
    for pk in ids:
        try:
            # No retries here: a request or the sweep must not wait on a dead broker.
            build_export.apply_async(args=[pk], retry=False)
        except Exception:
            log.warning("export job %s not enqueued; the sweep will hand it over", pk)
            continue
        taken += 1
        # Taken: the sweep leaves it alone for a while (a worker may be busy with others).
        ExportJob.objects.filter(pk=pk, status=ExportJob.Status.QUEUED).update(
            next_attempt_at=timezone.now()
            + timedelta(seconds=_setting("KL14_EXPORT_REDISPATCH_AFTER", 600))
        )
    return taken


def exports_dispatch_due(*, limit: int = 100) -> int:
    """Beat's sweep: hands over again the queued jobs that are due (the broker refused them, the
    message was lost, a retry waited out its back-off) and the running ones whose worker's lease
    ran out. Returns how many the broker took."""
    now = timezone.now()
    ids = list(
        ExportJob.objects.filter(
            Q(status=ExportJob.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=ExportJob.Status.RUNNING, claimed_until__lt=now)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return dispatch(ids)


exports_dispatch_due.alters_data = True


# --- building (a worker) --------------------------------------------------------------------


def export_claim(pk) -> str | None:
    """Claims a queued job, or a running one whose worker's lease ran out: answers the claim's
    token, or None when another worker has it or it is finished."""
    now = timezone.now()
    token = uuid.uuid4().hex
    won = (
        ExportJob.objects.filter(pk=pk)
        .filter(
            Q(status=ExportJob.Status.QUEUED)
            | Q(status=ExportJob.Status.RUNNING, claimed_until__lt=now)
        )
        .update(
            status=ExportJob.Status.RUNNING,
            claim=token,
            claimed_until=now + timedelta(seconds=_setting("KL14_EXPORT_LEASE", 900)),
            attempts=F("attempts") + 1,
            progress=1,
            started_at=now,
        )
    )
    return token if won else None


export_claim.alters_data = True


def export_build(*, pk) -> ExportJob | None:
    """Builds one job's file and stores it with its SHA-256. Answers the job when this call
    finished it (done or failed), None when there was nothing to do or it will be retried."""
    token = export_claim(pk)
    if token is None:
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=pk)

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=pk, claim=token).update(progress=max(1, min(99, percent)))

    with translation.override(job.language):
        try:
            built = kinds.get(job.kind).build(job, progress)
        except NotFound:
            return _fail(job, token, _("You can no longer see what this export covers."))
        except DomainError as error:
            return _fail(job, token, str(error.message))
        except Exception as error:
            log.exception("export job %s could not be built", pk)
            return _retry_or_fail(job, token, error)
        return _finish(job, token, built)


export_build.alters_data = True


def _finish(job, token, built: kinds.Built) -> ExportJob | None:
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ExportJob.Status.RUNNING or current.claim != token:
            return None  # another worker took it over after our lease ran out
        now = timezone.now()
        current.file.save(built.filename, ContentFile(built.content), save=False)
        current.filename = built.filename
        current.content_type = built.content_type
        current.size = len(built.content)
        current.sha256 = hashlib.sha256(built.content).hexdigest()
        current.reference = built.reference[:64]
        current.status = ExportJob.Status.DONE
        current.progress = 100
        current.finished_at = now
        current.expires_at = now + ttl()
        current.error = current.last_error = current.claim = ""
        current.claimed_until = current.next_attempt_at = None
        current.save()
        _tell_requester(current, gettext_lazy("Your file is ready: %(title)s"))
    return current


def _tell_requester(job: ExportJob, title) -> None:
    """A notification (and e-mail, by the requester's preference) that a job has finished, in the
    transaction that finishes it: nobody has to keep the progress page open. In the requester's
    language, as every notification is."""
    with translation.override(job.requested_by.language or job.language):
        text = str(title) % {"title": job.title}
    notifications_create(
        recipient_ids=[job.requested_by_id],
        kind=NotificationKind.INFO,
        title=text,
        url=reverse("exports:job", args=[job.pk]),
    )


def _fail(job, token, message: str, *, technical: str = "") -> ExportJob | None:
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job.pk)
        if current.claim != token:
            return None
        now = timezone.now()
        current.status = ExportJob.Status.FAILED
        current.error = message
        current.last_error = technical or message
        current.finished_at = now
        current.expires_at = now + ttl()
        current.claim = ""
        current.claimed_until = current.next_attempt_at = None
        current.save()
        _tell_requester(current, gettext_lazy("Your file could not be prepared: %(title)s"))
    return current


def _retry_or_fail(job, token, error) -> ExportJob | None:
    """An unexpected failure (the database, the renderer, the storage): tried again after a
    back-off, up to KL14_EXPORT_MAX_ATTEMPTS, then failed with a plain reason."""
    technical = f"{type(error).__name__}: {error}"[:2000]
    current = ExportJob.objects.get(pk=job.pk)
    if current.attempts >= _setting("KL14_EXPORT_MAX_ATTEMPTS", 3):
        return _fail(
            job,
            token,
            _("The file could not be prepared. Please ask for it again later."),
            technical=technical,
        )
    base, cap = _setting("KL14_EXPORT_RETRY_BASE", 60), _setting("KL14_EXPORT_RETRY_MAX", 900)
    delay = min(cap, base * 2 ** max(current.attempts - 1, 0))
    ExportJob.objects.filter(pk=job.pk, claim=token).update(
        status=ExportJob.Status.QUEUED,
        progress=0,
        claim="",
        claimed_until=None,
        last_error=technical,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return None


# --- purging --------------------------------------------------------------------------------


def exports_purge_expired() -> int:
    """Deletes finished jobs past their expiry, with their files. Returns how many."""
    expired = ExportJob.objects.filter(
        status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED],
        expires_at__lt=timezone.now(),
    )
    deleted = 0
    for job in expired.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted


exports_purge_expired.alters_data = True
