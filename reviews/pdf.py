"""HTML templates to PDF with WeasyPrint. The templates name DejaVu Sans / Noto Sans (installed
system fonts, found through fontconfig), which carry every Vietnamese letter, so the text is both
rendered and extractable."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint logs every layout step at INFO; the project's root logger would print them all.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_pdf(template: str, context: dict, *, language=None) -> bytes:
    from weasyprint import HTML

    with translation.override(language or translation.get_language()):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
