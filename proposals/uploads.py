"""Validation of uploaded files: the type is read from the content, never trusted from the name."""

import hashlib
import os
import unicodedata

import filetype
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from kl14.errors import Invalid

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Detected extension -> MIME type accepted for dossier attachments.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


def sanitize_name(name: str, extension: str) -> str:
    """A safe display name: no path, no control characters, the detected extension, at most 150
    characters. Vietnamese letters are kept."""
    base = os.path.basename((name or "").replace("\\", "/"))
    stem = os.path.splitext(unicodedata.normalize("NFC", base))[0]
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] != "C")
    try:
        stem = get_valid_filename(stem)
    except Exception:
        stem = ""
    stem = stem.strip("._-")[:140] or "tep-dinh-kem"
    return f"{stem}.{extension}"


def inspect_upload(uploaded) -> dict:
    """Checks size and real type; returns name, extension, MIME type, size and SHA-256.
    Raises Invalid (with a message in the user's language) for anything else."""
    size = uploaded.size
    if size == 0:
        raise Invalid(errors={"file": [_("The file is empty.")]})
    if size > MAX_UPLOAD_BYTES:
        raise Invalid(errors={"file": [_("The file is larger than 20 MB.")]})
    uploaded.seek(0)
    head = uploaded.read(65536)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        raise Invalid(
            errors={
                "file": [
                    _(
                        "This type of file is not accepted. Attach PDF, Word, Excel, PowerPoint, "
                        "OpenDocument or image (PNG, JPEG, GIF, WebP) files."
                    )
                ]
            }
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return {
        "name": sanitize_name(uploaded.name, kind.extension),
        "extension": kind.extension,
        "content_type": ALLOWED_TYPES[kind.extension],
        "size": size,
        "sha256": digest.hexdigest(),
    }
