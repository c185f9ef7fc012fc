"""Validation of uploaded files: the type is read from the content, never trusted from the name,
and the content is then opened as that type: a PDF must be one that a reader can open (its page
tree read by pypdf), an image one that Pillow reads whole, an Office or OpenDocument file a zip
archive with the parts its format requires that does not unpack to more than a document can hold
(a zip bomb). A file whose first bytes only look right ("%PDF-" and then anything) is refused.
Word, Excel and PowerPoint's legacy binary formats (.doc, .xls, .ppt) are checked by their
signature only."""

import hashlib
import os
import unicodedata
import warnings
import zipfile

import filetype
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

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


# An Office file unpacks to at most this much, and at most RATIO times its size once over
# RATIO_FROM: a 204 kB .docx holding 200 MB of zeros is refused, a large spreadsheet is not.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
RATIO, RATIO_FROM = 100, 20 * 1024 * 1024
MAX_PIXELS = 100_000_000  # a 10,000 × 10,000 scan; more is a decompression bomb, not a document
ZIPPED = {
    "docx": "[Content_Types].xml",
    "xlsx": "[Content_Types].xml",
    "pptx": "[Content_Types].xml",
    "odt": "mimetype",
    "ods": "mimetype",
    "odp": "mimetype",
}
IMAGES = ("png", "jpg", "gif", "webp")


class _Damaged(Exception):
    pass


def _check_pdf(uploaded) -> None:
    try:
        reader = PdfReader(uploaded, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Invalid(
                errors={
                    "file": [
                        _(
                            "This PDF is protected by a password: attach it without the "
                            "password, so that those who review it can open it."
                        )
                    ]
                }
            )
        if len(reader.pages) < 1:
            raise _Damaged
    except Invalid:
        raise
    except Exception as error:  # a parser of untrusted bytes may raise anything
        raise _Damaged from error


def _check_zipped(uploaded, required: str) -> None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _Damaged from error
    if required not in {member.filename for member in members}:
        raise _Damaged
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES or (
        unpacked > RATIO_FROM and unpacked > RATIO * uploaded.size
    ):
        raise Invalid(
            errors={
                "file": [
                    _(
                        "This file unpacks to far more than a document holds (%(mb)d MB): "
                        "it cannot be accepted."
                    )
                    % {"mb": unpacked // (1024 * 1024)}
                ]
            }
        )


def _too_many_pixels() -> Invalid:
    return Invalid(
        errors={
            "file": [
                _(
                    "This image has more than %(millions)d million pixels: attach a smaller "
                    "one (a scan at a lower resolution, for example)."
                )
                % {"millions": MAX_PIXELS // 1_000_000}
            ]
        }
    )


def _check_image(uploaded) -> None:
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own bound (~89 M pixels) and refuses past twice that; the
            # size is checked here against MAX_PIXELS, from the header alone, before any decoding.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                image.verify()
    except Invalid:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception as error:  # Pillow raises many kinds for a damaged file
        raise _Damaged from error


def _check_content(uploaded, extension: str) -> None:
    """Opens the file as the type its first bytes say; raises Invalid when it is not one."""
    uploaded.seek(0)
    try:
        if extension == "pdf":
            _check_pdf(uploaded)
        elif extension in ZIPPED:
            _check_zipped(uploaded, ZIPPED[extension])
        elif extension in IMAGES:
            _check_image(uploaded)
    except _Damaged:
        raise Invalid(
            errors={
                "file": [
                    _("The file is damaged or is not really a %(kind)s file.")
                    % {"kind": extension.upper()}
                ]
            }
        ) from None
    finally:
        uploaded.seek(0)


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
    _check_content(uploaded, kind.extension)
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
