"""Who may see an export job and download its file: only the one who asked for it, and only
while they may still see what it holds (a proposal, a unit's subtree). Anything else is 404, so
that another person's job, or a thing one lost sight of, does not show that it exists."""

from django.utils.translation import gettext as _

from kl14.errors import Conflict, Invalid, NotFound

from . import kinds
from .models import ExportJob


def access_job(user, pk) -> ExportJob:
    try:
        job = ExportJob.objects.get(pk=pk, requested_by_id=user.pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    try:
        kind = kinds.get(job.kind)
    except Invalid:  # a kind no app registers any more
        raise NotFound() from None
    kind.check_access(user, job)
    return job


def require_file(job) -> None:
    """Only a finished job has a file: 409 while it is being prepared or when it failed."""
    if not job.is_done or not job.file:
        raise Conflict(
            _("The file is not ready.") if job.in_flight else _("This export has no file."),
            code="export_not_ready",
        )


def job_file(user, pk) -> ExportJob:
    """The job whose file the user may download now: theirs, still visible to them, finished and
    not expired (404 once expired: the file is deleted), else the error."""
    job = access_job(user, pk)
    if job.is_done and job.is_expired:
        raise NotFound(_("This file has expired. Ask for the export again."))
    require_file(job)
    return job
