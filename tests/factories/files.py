"""Real files of each kind an upload accepts, made here: proposals/uploads.py opens every upload
as the type it claims (a PDF with a page, an image Pillow reads whole, an Office file with its
parts)."""

import io
import struct
import zipfile
import zlib

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


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width × height pixels (the header's CRC is correct), as a
    decompression bomb would: Pillow reads the size without decoding anything."""
    data = bytearray(png_bytes())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


PDF = pdf_bytes()
PNG = png_bytes()
DOCX = docx_bytes()
