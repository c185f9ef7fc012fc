"""Serving stored files that users uploaded or that the app made for one reader."""

from django.http import FileResponse


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
