"""The guide as a PDF: the whole guide and each role's part, in the reader's language, with the
screenshots; downloadable from the help pages."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from guide import content, images
from guide.pdf import guide_pdf
from tests.factories import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def images_in(pdf: bytes) -> int:
    """Distinct images (WeasyPrint lists every image in each page's resources)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return len({image.data for page in pages for image in page.images})


def test_the_whole_guide_in_vietnamese():
    with translation.override("vi"):
        pdf = guide_pdf()
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "HƯỚNG DẪN SỬ DỤNG" in text
    for guide in content.GUIDES:
        assert str(guide.title) in text, guide.slug
    assert "Viết và trình đề xuất" in text
    with_images = {s.shot for _g, s in content.sections() if images.image(s.shot)}
    assert images_in(pdf) == len(with_images)
    assert len(pdf) < 4_000_000  # the screenshots go in as JPEG sized for the page


def test_a_role_part_with_the_general_part_in_english(client):
    with translation.override("en"):
        pdf = guide_pdf("inspector")
    text = text_of(pdf)
    assert "USER GUIDE" in text
    assert "Recording an inspection" in text
    assert "Two-factor sign-in" in text  # the general part comes first
    assert "Writing and submitting a proposal" not in text  # the cadre's part does not


def test_downloaded_from_the_help_pages(client, tree):
    client.force_login(grant(tree["agency"], Role.INSPECTOR))
    page = client.get(reverse("guide:role", args=["inspector"])).content.decode()
    assert f'href="{reverse("guide:role-pdf", args=["inspector"])}"' in page
    response = client.get(reverse("guide:role-pdf", args=["inspector"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "huong-dan-su-dung-kl14-inspector.pdf" in response["Content-Disposition"]
    assert "Ghi nhận kết quả kiểm tra" in text_of(response.content)
    assert client.get("/help/nobody.pdf").status_code == 404


def test_a_rendering_is_reused_until_the_guide_changes(monkeypatch):
    from guide import pdf as module

    calls = []
    monkeypatch.setattr(module, "_render", lambda guides, whole: calls.append(1) or b"%PDF-x")
    assert guide_pdf("cadre") == guide_pdf("cadre") == b"%PDF-x"
    assert len(calls) == 1
    monkeypatch.setattr(module, "_fingerprint", lambda guides: "changed")
    guide_pdf("cadre")
    assert len(calls) == 2
