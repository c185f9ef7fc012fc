"""The guide as a PDF (WeasyPrint, as the protection dossier): the whole guide or one role's part
with the general part, in the reader's language, with the journeys' screenshots. A rendering is
kept in the cache until the guide's texts or images change."""

import base64
import hashlib
import io
import logging

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from . import content, images

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

CACHE_SECONDS = 24 * 3600
# A4 minus the margins is 178 mm: 1000 px prints at about 140 dpi. WeasyPrint embeds a JPEG as it
# is (a WebP or PNG would be stored as raw pixels, several times larger).
PDF_IMAGE_WIDTH = 1000
PDF_JPEG_QUALITY = 70


def _fingerprint(guides) -> str:
    """Changes when a text of the guide (its compiled catalogue) or one of its images changes."""
    digest = hashlib.sha256()
    catalogue = settings.BASE_DIR / "guide" / "locale" / "vi" / "LC_MESSAGES" / "django.mo"
    files = [catalogue] + [images.file_of(s.shot) for g in guides for s in g.sections if s.shot]
    for path in files:
        stat = path.stat() if path.exists() else None
        digest.update(f"{path}:{stat and stat.st_mtime_ns}:{stat and stat.st_size};".encode())
    return digest.hexdigest()[:16]


def _page_path(url_name: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def guides_of(slug: str | None) -> list[content.RoleGuide]:
    """The whole guide (None), or the general part and one role's part."""
    if slug is None:
        return list(content.GUIDES)
    guide = content.BY_SLUG[slug]
    return [guide] if guide is content.GENERAL else [content.GENERAL, guide]


def guide_pdf(slug: str | None = None) -> bytes:
    guides = guides_of(slug)
    language = translation.get_language()
    key = f"guide:pdf:{slug or '*'}:{language}:{_fingerprint(guides)}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _render(guides, whole=slug is None)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def _render(guides, *, whole: bool) -> bytes:
    from weasyprint import HTML

    parts = [
        {
            "guide": guide,
            "sections": [
                {"section": s, "image": _jpeg_uri(s.shot), "path": _page_path(s.url_name)}
                for s in guide.sections
            ],
        }
        for guide in guides
    ]
    html = render_to_string(
        "guide/guide_pdf.html",
        {"parts": parts, "whole": whole, "generated": timezone.localdate()},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _jpeg_uri(shot: str) -> str | None:
    """The screenshot as a data: URI of a JPEG sized for the page, or None without one."""
    found = images.image(shot)
    if found is None:
        return None
    from PIL import Image

    with Image.open(found["file"]) as source:
        picture = source.convert("RGB")
    if picture.width > PDF_IMAGE_WIDTH:
        height = round(picture.height * PDF_IMAGE_WIDTH / picture.width)
        picture = picture.resize((PDF_IMAGE_WIDTH, height), Image.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=PDF_JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
