"""The pages of export jobs: asking for one (a POST from the dashboard or the review page), the
job's page that polls its progress (htmx, every 2 s) and offers the file once it is ready, the
list of one's exports, and the download."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kl14.files import private_download
from kl14.paging import Paginator

from . import services
from .permissions import access_job, job_file
from .selectors import jobs_of

PAGE_SIZE = 20
NOT_PARAMS = {"kind", "csrfmiddlewaretoken"}


@login_required
@require_POST
def export_request_view(request):
    """Asks for an export; its page follows the progress. 400, 403, 404, 409 as the kind says."""
    params = {k: v for k, v in request.POST.items() if k not in NOT_PARAMS}
    job, _created = services.export_request(
        actor=request.user, kind=request.POST.get("kind"), params=params
    )
    return redirect("exports:job", pk=job.pk)


def download_response(job):
    response = private_download(job.file, filename=job.filename, content_type=job.content_type)
    response["X-Content-SHA256"] = job.sha256
    if job.reference:
        response["X-Verification-Code"] = job.reference
    return response


@login_required
@require_GET
def job_view(request, pk):
    """The job's page; htmx's poll gets the status part alone (it stops polling once the job is
    done or failed)."""
    job = access_job(request.user, pk)
    template = "exports/_status.html" if request.htmx else "exports/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def job_file_view(request, pk):
    return download_response(job_file(request.user, pk))


@login_required
@require_GET
def jobs_view(request):
    page = Paginator(jobs_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exports/jobs.html", {"page": page, "jobs": page.object_list})
