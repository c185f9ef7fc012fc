"""Serving stored files that users uploaded or that the app made for one reader."""

from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils import timezone


def private_download(stored_file, *, filename, content_type) -> FileResponse:
    """Always a download, never rendered inline: the browser must not sniff the type, run it in
    the app's origin, or keep a copy in a shared cache."""
    response = FileResponse(
        stored_file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# Where each kind of uploaded file is stored, and the model whose `file` field refers to it.
UPLOAD_HOMES = {
    "proposals/": "proposals.Attachment",
    "pilots/": "pilots.ReportAttachment",
    "evaluations/": "reviews.EvaluationMinutes",
}


def stored_copy(uploaded) -> File:
    """An upload as a `FileField.save` should take it: copied from its start, never moved. Given
    the upload itself, the file-system storage moves a large upload's temporary file into place
    (the in-memory storage deletes it), and a request that the database aborted, which
    kl14.transient runs again, would find its file gone."""
    uploaded.seek(0)
    return File(uploaded.file, name=uploaded.name)


def _stored_names(storage, folder: str):
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}{name}"
    for directory in directories:
        yield from _stored_names(storage, f"{folder}{directory}/")


def orphan_uploads_delete(*, older_than: timedelta = timedelta(days=1), storage=None) -> int:
    """Deletes uploaded files that no row refers to: what an upload leaves behind when the
    transaction that stored it rolled back. Files younger than `older_than` are left alone, so an
    upload still in flight is never touched. Returns the number deleted."""
    from django.apps import apps

    storage = storage or default_storage
    cutoff = timezone.now() - older_than
    deleted = 0
    for folder, model_name in UPLOAD_HOMES.items():
        if not storage.exists(folder.rstrip("/")):
            continue
        model = apps.get_model(model_name)
        referenced = set(model.objects.values_list("file", flat=True))
        for name in _stored_names(storage, folder):
            if name not in referenced and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    return deleted
