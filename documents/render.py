"""An official document as PDF (WeasyPrint, then a PAdES signature) and as DOCX (python-docx),
both from the content frozen when the decision was taken: Decree 30/2020, Appendix I — A4,
Times New Roman 13–14 pt (Noto Serif or DejaVu Serif where it is missing: every Vietnamese
letter), margins 20–25 mm top and bottom, 30–35 mm left, 15–20 mm right."""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from signing.pdf import sign_pdf
from signing.services import signed_reason

from .wording import DOC_NAMES, date_line

# WeasyPrint logs every layout step at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT = "Times New Roman"


def layout(document) -> dict:
    """What both renderings print, in reading order."""
    content = document.content or {}
    return {
        "document": document,
        "party": document.party_format,
        "header": content.get("header", {}),
        "number_line": (
            f"Số {document.reference}" if document.party_format else f"Số: {document.reference}"
        ),
        "date_line": date_line(content.get("place", ""), document.issued_on),
        "doc_name": content.get("doc_name") or DOC_NAMES.get(document.doc_type, ""),
        "subject": content.get("subject", ""),
        "authority": content.get("authority", ""),
        "grounds": content.get("grounds", []),
        "decides": content.get("decides", ""),
        "articles": content.get("articles", []),
        "paragraphs": content.get("paragraphs", []),
        "recipients": content.get("recipients", []),
        "signer": content.get("signer", {}),
    }


def pdf(document) -> bytes:
    from weasyprint import HTML

    with translation.override("vi"):
        html = render_to_string("documents/official.html", layout(document))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def signed_pdf(document) -> bytes:
    """The PDF, PAdES-signed; the signature's reason names the document and the decision's place
    in the ledger (its entry's sequence and hash), the chain head it is registered with."""
    content = document.content or {}
    entry = document.decision_entry
    reason = f"{DOC_NAMES.get(document.doc_type, '')} số {document.reference}".strip()
    return sign_pdf(
        pdf(document),
        reason=signed_reason(reason, entry.seq, entry.hash),
        location=content.get("place", ""),
    )


def docx(document) -> bytes | None:
    """The DOCX, or None where python-docx is not installed (the PDF is the signed original)."""
    try:
        import docx as python_docx
    except ImportError:
        return None
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    parts = layout(document)
    doc = python_docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)

    def paragraph(cell_or_doc, text, *, bold=False, italic=False, align=None, size=None):
        p = cell_or_doc.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        return p

    center = WD_ALIGN_PARAGRAPH.CENTER
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    header = parts["header"]
    left.paragraphs[0].text = ""
    if header.get("parent"):
        paragraph(left, header["parent"], align=center, size=13)
    paragraph(left, header.get("body", ""), bold=True, align=center, size=13)
    if parts["party"]:
        paragraph(left, "*", align=center, size=13)
    paragraph(left, parts["number_line"], align=center, size=13)
    right.paragraphs[0].text = ""
    if parts["party"]:
        paragraph(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, align=center, size=13)
    else:
        paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=center, size=12)
        paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, align=center, size=13)
    paragraph(right, parts["date_line"], italic=True, align=center)

    paragraph(doc, "")
    paragraph(doc, parts["doc_name"], bold=True, align=center)
    paragraph(doc, parts["subject"], bold=True, align=center)
    if parts["authority"]:
        paragraph(doc, "")
        paragraph(doc, parts["authority"], bold=True, align=center)
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    for ground in parts["grounds"]:
        paragraph(doc, ground, italic=True, align=justify)
    if parts["decides"]:
        paragraph(doc, parts["decides"], bold=True, align=center)
    for article in parts["articles"]:
        p = doc.add_paragraph()
        p.alignment = justify
        p.add_run(f"{article.get('heading', '')} ").bold = True
        p.add_run(article.get("text", ""))
    for text in parts["paragraphs"]:
        paragraph(doc, text, align=justify)

    paragraph(doc, "")
    footer = doc.add_table(rows=1, cols=2)
    to, sign = footer.rows[0].cells
    to.paragraphs[0].text = ""
    paragraph(to, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in parts["recipients"]:
        paragraph(to, f"- {line}", size=11)
    sign.paragraphs[0].text = ""
    signer = parts["signer"]
    if signer.get("capacity"):
        paragraph(sign, signer["capacity"], bold=True, align=center)
    paragraph(sign, signer.get("title", ""), bold=True, align=center)
    paragraph(sign, "(Đã ký số)", italic=True, align=center)
    paragraph(sign, signer.get("name", ""), bold=True, align=center)

    doc.core_properties.title = f"{parts['doc_name']} {document.reference}"
    doc.core_properties.subject = parts["subject"]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
