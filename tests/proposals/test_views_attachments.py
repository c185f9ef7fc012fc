"""Attachments from the browser: upload, download through a permission check, removal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Attachment
from proposals.uploads import MAX_UPLOAD_BYTES
from tests.factories.files import PDF, PNG
from tests.factories.proposals import ProposalFactory, fresh, submitted

pytestmark = pytest.mark.django_db


def upload(client, proposal, name, content, next_url=""):
    return client.post(
        reverse("proposals:attachment-add", args=[proposal.pk]),
        {"file": SimpleUploadedFile(name, content), "next": next_url},
    )


def download_url(attachment):
    return reverse("proposals:attachment", args=[attachment.proposal_id, attachment.pk])


def test_an_author_uploads_a_pdf_and_goes_back_to_the_form(client, org, draft):
    client.force_login(org.cadre)
    edit = reverse("proposals:edit", args=[draft.pk])
    response = upload(client, draft, "../Kế hoạch chi tiết.pdf", PDF, next_url=edit)
    assert response.status_code == 302
    assert response.url == f"{edit}#attachments-heading"
    attachment = Attachment.objects.get(proposal=draft)
    assert attachment.original_name == "Kế_hoạch_chi_tiết.pdf"
    assert attachment.content_type == "application/pdf"
    page = client.get(edit).content.decode()
    assert "Kế_hoạch_chi_tiết.pdf" in page
    assert download_url(attachment) in page


def test_the_type_is_read_from_the_content_not_the_name(client, org, draft):
    client.force_login(org.cadre)
    response = upload(client, draft, "bao-cao.pdf", b"#!/bin/sh\necho not a pdf\n")
    assert response.status_code == 400
    assert "Loại tệp này không được chấp nhận." in response.content.decode()
    assert not Attachment.objects.exists()
    response = upload(client, draft, "anh.txt", PNG)
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "anh.png"


def test_a_refused_upload_goes_back_to_the_form_with_the_reason(client, org, draft):
    """Sent from the dossier form, a refused file brings the person back to that form, the
    reason shown in its attachments section — not to a bare page that leaves the form."""
    client.force_login(org.cadre)
    edit = reverse("proposals:edit", args=[draft.pk])
    response = upload(client, draft, "bao-cao.pdf", b"#!/bin/sh\necho\n", next_url=edit)
    assert response.status_code == 302
    assert response.url == f"{edit}#attachments-heading"
    page = client.get(edit).content.decode()
    section = page[page.index('id="attachments-heading"') :]
    assert "Tệp chưa được đính kèm: Loại tệp này không được chấp nhận." in section
    assert not Attachment.objects.exists()


def test_a_file_larger_than_20_mb_is_refused(client, org, draft):
    client.force_login(org.cadre)
    big = PDF + b"0" * (MAX_UPLOAD_BYTES + 1 - len(PDF))
    response = upload(client, draft, "lon.pdf", big)
    assert response.status_code == 400
    assert "Tệp lớn hơn 20 MB." in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_external_next_is_ignored(client, org, draft):
    client.force_login(org.cadre)
    response = upload(client, draft, "a.pdf", PDF, next_url="https://evil.example/")
    assert response.status_code == 302
    assert response.url == reverse("proposals:edit", args=[draft.pk])


def test_attachments_are_frozen_once_submitted(client, org, draft):
    client.force_login(org.cadre)
    upload(client, draft, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    proposal = submitted(draft, org.cadre)
    assert upload(client, proposal, "b.pdf", PDF).status_code == 409
    remove = reverse("proposals:attachment-remove", args=[proposal.pk, attachment.pk])
    assert client.post(remove).status_code == 409
    assert list(Attachment.objects.all()) == [attachment]


def test_only_authors_change_attachments(client, org, draft):
    client.force_login(org.cadre)
    upload(client, draft, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    proposal = submitted(draft, org.cadre)
    client.force_login(org.head)
    assert upload(client, proposal, "b.pdf", PDF).status_code == 403
    remove = reverse("proposals:attachment-remove", args=[proposal.pk, attachment.pk])
    assert client.post(remove).status_code == 403
    client.force_login(org.commune_head)
    assert client.post(remove).status_code == 404
    assert Attachment.objects.count() == 1


def test_an_author_removes_an_attachment_of_a_draft(client, org, draft):
    client.force_login(org.cadre)
    upload(client, draft, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    remove = reverse("proposals:attachment-remove", args=[draft.pk, attachment.pk])
    assert client.get(remove).status_code == 405
    response = client.post(remove, follow=True)
    assert not Attachment.objects.exists()
    assert "Đã gỡ bỏ “a.pdf”." in [str(m) for m in response.context["messages"]]


def test_download_is_an_attachment_with_nosniff_for_whoever_sees_the_proposal(client, org, draft):
    client.force_login(org.cadre)
    upload(client, draft, "Tờ trình.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(org.head)
    assert client.get(download_url(attachment)).status_code == 404  # a draft: authors only
    submitted(fresh(draft), org.cadre)
    for user in (org.cadre, org.head, org.deputy1, org.party, org.inspector):
        client.force_login(user)
        response = client.get(download_url(attachment))
        assert response.status_code == 200, user.username
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "T%E1%BB%9D_tr%C3%ACnh.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(org.commune_head)
    assert client.get(download_url(attachment)).status_code == 404


def test_an_attachment_is_only_reachable_through_its_own_proposal(client, org, draft):
    client.force_login(org.cadre)
    upload(client, draft, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    other = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    url = reverse("proposals:attachment", args=[other.pk, attachment.pk])
    assert client.get(url).status_code == 404
