"""Real files of each kind an upload accepts, made here: proposals/uploads.py opens every upload
as the type it claims (a PDF with a page, an image Pillow reads whole, an Office file with its
parts)."""

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(*, pages: int = 1, padding: int = 0) -> bytes:
    """A PDF of blank A4 pages; `padding` bytes more, in its metadata, for a file of some size."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (1, 1)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (255, 255, 255, 0)).save(out, format="PNG")
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


PDF = pdf_bytes()
PNG = png_bytes()
DOCX = docx_bytes()
