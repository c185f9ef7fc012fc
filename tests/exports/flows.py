"""Export jobs from a test client: ask as the page's button does, let the worker build the job
(tests run Celery eagerly, on commit), then download the file."""

from django.test import TestCase


def on_commit():
    """Runs what the transactions registered for their commit (the job's hand-over to the
    worker), as a real commit would; tests' transactions otherwise never commit."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def exported(client, kind, **params):
    """POSTs the export like the dashboard's or the review page's button, lets the worker build
    it, and answers the download of its file."""
    with on_commit():
        response = client.post("/exports/new/", {"kind": kind, **params})
    assert response.status_code == 302, response.content[:500]
    return client.get(f"{response['Location']}file/")


def dossier_of(client, proposal):
    return exported(client, "dossier", proposal=proposal.pk)


def api_file(client, url, **extra):
    """An old download address of the API: 202 and the job first, the file once it is built."""
    with on_commit():
        first = client.get(url, **extra)
    if first.status_code != 202:
        return first
    return client.get(url, **extra)


def export_file_url(user, kind, *, api=False, **params) -> str:
    """The address of the file of an export the user asked for, built."""
    from exports import services

    with on_commit():
        job, _created = services.export_request(actor=user, kind=kind, params=params)
    return f"/api/v1/exports/{job.pk}/file/" if api else f"/exports/{job.pk}/file/"


def built(user, url) -> str:
    """An old download address of the API, once the job it started is built: the next GET
    answers the file."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    with on_commit():
        assert client.get(url).status_code == 202
    return url
