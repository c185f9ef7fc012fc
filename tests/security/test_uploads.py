"""Uploads and downloads, in both places that take files (a proposal's attachments, a progress
report's attachments), through the pages and the API: the type comes from the content, the size
is limited, the name is sanitised and never used as a path, and every download is a download
(`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pilots.models import ProgressReport, ReportAttachment
from proposals.models import Attachment
from proposals.uploads import MAX_UPLOAD_BYTES
from tests.exports.flows import built, export_file_url
from tests.factories.files import DOCX, PDF, PNG, pdf_bytes, png_bytes, png_claiming

pytestmark = pytest.mark.django_db

GIF_JS = b"GIF89a/*\x00\x00*/=alert(1)//"  # a GIF header that is also JavaScript
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = b"<!doctype html><script>alert(1)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
EXE = b"MZ\x90\x00" + b"\x00" * 200
ZIP = b"PK\x03\x04" + b"\x00" * 200
FORGED_PDF = b"%PDF-1.4\n" + b"MZ\x90\x00this is an exe" * 20  # the right first bytes only


def _gif() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (2, 2)).save(out, format="GIF")
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt(user_password="mat-khau", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A .docx of 200 kB that unpacks to 200 MB of zeros (a zip bomb).
DOCX_BOMB = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * 200_000_000})


def _proposal_html(client, w, name, content):
    return client.post(
        f"/proposals/{w.draft.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}
    )


def _proposal_api(client, w, name, content):
    return client.post(
        f"/api/v1/proposals/{w.draft.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
    )


def _report_html(client, w, name, content):
    return client.post(
        f"/pilots/{w.pilot.pk}/reports/",
        {"period": "1", "narrative": "x", "attachments": [SimpleUploadedFile(name, content)]},
    )


def _report_api(client, w, name, content):
    return client.post(
        f"/api/v1/proposals/{w.pilot.pk}/reports/",
        {"narrative": "x", "attachments": [SimpleUploadedFile(name, content)]},
    )


UPLOADERS = {
    "proposal-page": (_proposal_html, Attachment),
    "proposal-api": (_proposal_api, Attachment),
    "report-page": (_report_html, ReportAttachment),
    "report-api": (_report_api, ReportAttachment),
}


@pytest.fixture(params=list(UPLOADERS))
def uploader(request, world, as_user):
    """(upload(name, content) -> response, model of the stored files); period 1 of the pilot is
    open again so that a report can be filed."""
    ProgressReport.objects.filter(plan=world.plan).delete()
    send, model = UPLOADERS[request.param]
    client = as_user(world.cadre)
    return (lambda name, content: send(client, world, name, content)), model


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", HTML),
        ("anh.png", SVG),
        ("bang.xlsx", ZIP),
        ("cai-dat.pdf", EXE),
        ("trong.pdf", b""),
        ("gia-mao.pdf", FORGED_PDF),
        ("khong-trang.pdf", pdf_bytes(pages=0)),
        ("cat-cut.pdf", PDF[: len(PDF) // 2]),
        ("anh.gif", GIF_JS),
        ("cat-cut.png", png_bytes((40, 40))[:60]),
        ("van-ban.docx", _zip({"word/document.xml": b"<w:document/>", "word/x": b"1"})),
    ],
    ids=[
        "html-as-pdf",
        "svg-as-png",
        "bare-zip-as-xlsx",
        "exe-as-pdf",
        "empty",
        "pdf-header-then-anything",
        "pdf-without-a-page",
        "truncated-pdf",
        "gif-that-is-javascript",
        "truncated-png",
        "docx-without-its-content-types",
    ],
)
def test_the_type_is_read_from_the_content(uploader, name, content):
    upload, model = uploader
    before = model.objects.count()
    response = upload(name, content)
    assert response.status_code == 400
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content", "stored", "content_type"),
    [
        ("ke-hoach.html", PDF, "ke-hoach.pdf", "application/pdf"),
        ("anh.js", _gif(), "anh.gif", "image/gif"),
        ("anh.svg", PNG, "anh.png", "image/png"),
        ("van-ban.bin", DOCX, "van-ban.docx", DOCX_TYPE),
    ],
)
def test_the_extension_and_type_follow_the_content(uploader, name, content, stored, content_type):
    upload, model = uploader
    response = upload(name, content)
    assert response.status_code in (201, 302)
    attachment = model.objects.latest("pk")
    assert (attachment.original_name, attachment.content_type) == (stored, content_type)


def test_a_file_over_20_mb_is_refused(uploader):
    upload, model = uploader
    before = model.objects.count()
    response = upload("lon.pdf", pdf_bytes(padding=MAX_UPLOAD_BYTES))
    assert response.status_code == 400
    assert model.objects.count() == before


def test_a_file_whose_first_bytes_only_look_right_is_refused_in_vietnamese(world, as_user):
    client = as_user(world.cadre)
    before = Attachment.objects.count()
    response = _proposal_html(client, world, "gia-mao.pdf", FORGED_PDF)
    assert response.status_code == 400
    assert "Tệp bị hỏng hoặc không thực sự là tệp PDF." in response.content.decode()
    assert Attachment.objects.count() == before


def test_a_zip_bomb_is_refused_without_being_unpacked(world, as_user):
    client = as_user(world.cadre)
    before = Attachment.objects.count()
    response = _proposal_api(client, world, "bao-cao.docx", DOCX_BOMB)
    assert len(DOCX_BOMB) < 1_000_000
    assert response.status_code == 400
    assert "giải nén ra quá lớn so với một văn bản (190 MB)" in response.json()["errors"]["file"][0]
    assert Attachment.objects.count() == before


@pytest.mark.parametrize(
    ("width", "height"),
    [(11_000, 10_000), (20_000, 20_000)],
    ids=["past-the-bound", "past-twice-pillows-own"],
)
def test_an_image_of_too_many_pixels_is_refused_with_the_reason(world, as_user, width, height):
    client = as_user(world.cadre)
    before = Attachment.objects.count()
    response = _proposal_api(client, world, "ban-quet.png", png_claiming(width, height))
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "Ảnh này có hơn 100 triệu điểm ảnh: hãy đính kèm ảnh nhỏ hơn (chẳng hạn bản quét "
        "ở độ phân giải thấp hơn)."
    ]
    assert Attachment.objects.count() == before


def test_an_image_within_the_bound_is_read_whole(world, as_user):
    client = as_user(world.cadre)
    response = _proposal_api(client, world, "anh-lon.png", png_bytes((3_000, 2_000)))
    assert response.status_code == 201
    assert Attachment.objects.latest("pk").original_name == "anh-lon.png"


def test_a_password_protected_pdf_is_refused_with_the_reason(world, as_user):
    client = as_user(world.cadre)
    before = Attachment.objects.count()
    response = _proposal_api(client, world, "mat.pdf", _encrypted_pdf())
    assert response.status_code == 400
    assert "được bảo vệ bằng mật khẩu" in response.json()["errors"]["file"][0]
    assert Attachment.objects.count() == before


SAFE_NAME = re.compile(r"^[\w.-]{1,150}$")


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\system32\\evil.pdf",
        'a"; filename="evil.html',
        "x\tA\x07\x1b[31m.pdf",
        "<script>alert(1)</script>.pdf",
        ".htaccess",
        "\x00nul.pdf",
        "Kế hoạch " * 40 + ".pdf",
    ],
    ids=[
        "posix-path",
        "windows-path",
        "header-quote",
        "control-characters",
        "markup",
        "dotfile",
        "nul",
        "long",
    ],
)
def test_the_name_is_sanitised_and_never_a_path(uploader, name):
    """(A multipart header cannot carry CR or LF; sanitize_name drops them anyway: below.)"""
    upload, model = uploader
    response = upload(name, PDF)
    assert response.status_code in (201, 302)
    attachment = model.objects.latest("pk")
    assert SAFE_NAME.match(attachment.original_name), attachment.original_name
    assert attachment.original_name.endswith(".pdf")
    assert ".." not in attachment.original_name
    # Stored under a random token, never under the name given.
    assert re.fullmatch(r"(proposals|pilots)/\d+/[0-9a-f]{32}\.pdf", attachment.file.name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x\r\nContent-Type: text.pdf", "xContent-Type_text.pdf"),
        ("", "tep-dinh-kem.pdf"),
        ("...", "tep-dinh-kem.pdf"),
        ("/", "tep-dinh-kem.pdf"),
    ],
)
def test_sanitize_name_drops_line_breaks_and_never_leaves_a_name_empty(name, expected):
    from proposals.uploads import sanitize_name

    assert sanitize_name(name, "pdf") == expected


# --- downloads ------------------------------------------------------------------------------

DOWNLOADS = [
    ("head", lambda w: f"/proposals/{w.review.pk}/attachments/{w.review_attachment.pk}/"),
    (
        "head",
        lambda w: f"/api/v1/proposals/{w.review.pk}/attachments/{w.review_attachment.pk}/download/",
    ),
    ("head", lambda w: f"/pilots/attachments/{w.report_attachment.pk}/"),
    ("cadre", lambda w: export_file_url(w.cadre, "dossier", proposal=w.done.pk)),
    ("cadre", lambda w: export_file_url(w.cadre, "dossier", api=True, proposal=w.done.pk)),
    ("orgboard", lambda w: export_file_url(w.orgboard, "period_report", period="quarter")),
    ("orgboard", lambda w: export_file_url(w.orgboard, "period_report", format="pdf")),
    ("cadre", lambda w: built(w.cadre, f"/api/v1/proposals/{w.done.pk}/dossier/")),
    ("orgboard", lambda w: built(w.orgboard, "/api/v1/reports/period/?output=xlsx")),
    ("orgboard", lambda w: f"/notifications/reviews/{w.periodic_review.pk}/report/"),
]


@pytest.mark.parametrize(("who", "path"), DOWNLOADS)
def test_every_download_is_an_attachment_that_is_not_sniffed(world, as_user, who, path):
    response = as_user(getattr(world, who)).get(path(world))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "\n" not in response["Content-Disposition"]
    assert not response["Content-Type"].startswith(("text/html", "image/svg"))


@pytest.mark.parametrize(
    "path",
    [
        lambda w: f"/proposals/{w.review.pk}/attachments/{w.review_attachment.pk}/",
        lambda w: f"/api/v1/proposals/{w.review.pk}/attachments/{w.review_attachment.pk}/download/",
        lambda w: f"/pilots/attachments/{w.report_attachment.pk}/",
    ],
    ids=["proposal-page", "proposal-api", "report-page"],
)
def test_a_users_file_is_sandboxed_and_not_cached_by_proxies(world, as_user, path):
    """Defence in depth for files people upload: if a browser ever renders one (an old one, a
    plug-in), a sandboxing Content-Security-Policy keeps it away from the session."""
    response = as_user(world.head).get(path(world))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"].startswith("private")
