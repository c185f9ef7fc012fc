"""Attachments through the API: multipart upload checked by content, size and name; listing;
removal; permission-checked download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from proposals import services
from proposals.models import Attachment
from proposals.uploads import MAX_UPLOAD_BYTES
from tests.factories.files import PDF, PNG
from tests.factories.proposals import fresh, submitted

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(user, proposal, name, content):
    return client_for(user).post(
        f"/api/v1/proposals/{proposal.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def attach(org, proposal, name="ke-hoach.pdf", content=PDF):
    response = upload(org.cadre, proposal, name, content)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_real_pdf_is_accepted(org, draft):
    body = attach(org, draft, "Kế hoạch thí điểm.pdf")
    stored = Attachment.objects.get()
    assert body["id"] == stored.pk
    assert body["name"] == stored.original_name and body["name"].endswith(".pdf")
    assert body["name"] == "Kế_hoạch_thí_điểm.pdf"  # Vietnamese letters are kept
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert len(body["sha256"]) == 64 and body["uploaded_by"]["username"] == "cadre"
    assert body["download_url"].endswith(
        f"/api/v1/proposals/{draft.pk}/attachments/{stored.pk}/download/"
    )


def test_an_image_is_accepted_with_the_extension_of_its_content(org, draft):
    body = attach(org, draft, "anh-chup.pdf", PNG)
    assert body["content_type"] == "image/png" and body["name"] == "anh-chup.png"


def test_a_pdf_that_is_really_text_is_refused(org, draft):
    response = upload(org.cadre, draft, "bao-cao.pdf", b"just some text pretending\n" * 10)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_more_than_20_mb_is_refused(org, draft):
    big = PDF + b"0" * (MAX_UPLOAD_BYTES + 1 - len(PDF))
    assert len(big) == 20 * 1024 * 1024 + 1
    response = upload(org.cadre, draft, "lon.pdf", big)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_exactly_20_mb_is_accepted(org, draft):
    body = attach(org, draft, "vua.pdf", PDF + b"0" * (MAX_UPLOAD_BYTES - len(PDF)))
    assert body["size"] == MAX_UPLOAD_BYTES


def test_an_empty_or_missing_file_is_refused(org, draft):
    assert upload(org.cadre, draft, "rong.pdf", b"").status_code == 400
    response = client_for(org.cadre).post(
        f"/api/v1/proposals/{draft.pk}/attachments/", {}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_a_path_in_the_name_is_sanitised(org, draft):
    body = attach(org, draft, "../../etc/passwd.pdf")
    assert body["name"] == "passwd.pdf"
    stored = Attachment.objects.get()
    assert ".." not in stored.file.name and "etc" not in stored.file.name
    assert stored.file.name.startswith(f"proposals/{draft.pk}/")


def test_json_is_not_an_upload(org, draft):
    response = client_for(org.cadre).post(
        f"/api/v1/proposals/{draft.pk}/attachments/", {"file": "x"}, format="json"
    )
    assert response.status_code == 415
    assert not Attachment.objects.exists()


def test_list_attachments(org, draft):
    attach(org, draft, "a.pdf")
    attach(org, draft, "b.png", PNG)
    body = client_for(org.cadre).get(f"/api/v1/proposals/{draft.pk}/attachments/").json()
    assert body["count"] == 2 and [a["name"] for a in body["results"]] == ["a.pdf", "b.png"]
    detail = client_for(org.cadre).get(f"/api/v1/proposals/{draft.pk}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["a.pdf", "b.png"]


# --- download ---


def test_download_answers_the_file_as_an_attachment(org, draft):
    body = attach(org, draft, "ke-hoach.pdf")
    proposal = submitted(draft, org.cadre)
    response = client_for(org.head).get(body["download_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "ke-hoach.pdf" in response["Content-Disposition"]
    assert fresh(proposal).state == "submitted"


def test_download_with_an_accept_header_for_the_file_type(org, draft):
    body = attach(org, draft)
    response = client_for(org.cadre).get(body["download_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200


def test_another_units_user_cannot_download(org, draft):
    body = attach(org, draft)
    submitted(draft, org.cadre)
    response = client_for(org.commune_head).get(body["download_url"])
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_draft_attachment_is_private_to_the_authors(org, draft):
    body = attach(org, draft)
    assert client_for(org.head).get(body["download_url"]).status_code == 404


def test_an_attachment_of_another_proposal_is_404(org, draft):
    body = attach(org, draft)
    other = services.proposal_create(actor=org.cadre, home_unit=org.agency, title="Khác")
    url = f"/api/v1/proposals/{other.pk}/attachments/{body['id']}/download/"
    assert client_for(org.cadre).get(url).status_code == 404


# --- who may change attachments, and when ---


def test_author_removes_an_attachment_of_a_draft(org, draft):
    body = attach(org, draft)
    response = client_for(org.cadre).delete(
        f"/api/v1/proposals/{draft.pk}/attachments/{body['id']}/"
    )
    assert response.status_code == 204
    assert not Attachment.objects.exists()


def test_attachments_are_frozen_once_submitted(org, draft):
    body = attach(org, draft)
    submitted(draft, org.cadre)
    url = f"/api/v1/proposals/{draft.pk}/attachments/{body['id']}/"
    response = client_for(org.cadre).delete(url)
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"
    response = upload(org.cadre, draft, "moi.pdf", PDF)
    assert response.status_code == 409
    assert Attachment.objects.count() == 1


def test_non_authors_cannot_change_attachments(org, draft):
    body = attach(org, draft)
    submitted(draft, org.cadre)
    url = f"/api/v1/proposals/{draft.pk}/attachments/{body['id']}/"
    assert client_for(org.head).delete(url).status_code == 403
    assert upload(org.head, draft, "moi.pdf", PDF).status_code == 403
    assert Attachment.objects.count() == 1


def test_another_units_user_cannot_change_attachments(org, draft):
    body = attach(org, draft)
    url = f"/api/v1/proposals/{draft.pk}/attachments/{body['id']}/"
    assert client_for(org.commune_cadre).delete(url).status_code == 404
    assert upload(org.commune_cadre, draft, "x.pdf", PDF).status_code == 404
    assert Attachment.objects.count() == 1


def test_removing_a_missing_attachment_is_404(org, draft):
    url = f"/api/v1/proposals/{draft.pk}/attachments/999999/"
    assert client_for(org.cadre).delete(url).status_code == 404
