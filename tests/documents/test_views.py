"""Downloading official documents (page and API): who may, while pending, names, the list on
the proposal's page and in the API at a constant number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import services
from documents.models import OfficialDocument
from ledger.models import LedgerEntry

from .flows import approve

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def issued(org):
    proposal = approve(org)
    document = OfficialDocument.objects.get(proposal=proposal)
    return services.document_issue(pk=document.pk)


def page_url(document, fmt):
    return f"/proposals/{document.proposal_id}/documents/{document.pk}.{fmt}"


def api_url(document, fmt):
    return f"/api/v1/proposals/{document.proposal_id}/documents/{document.pk}/{fmt}/"


@pytest.mark.parametrize("url", [page_url, api_url])
def test_an_author_downloads_the_signed_pdf(org, issued, url):
    response = client_for(org.cadre).get(url(issued, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="QD-01-A-{issued.year}.pdf"' in response["Content-Disposition"]
    assert response["X-Document-SHA256"] == issued.pdf_sha256
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("url", [page_url, api_url])
def test_the_docx_downloads_when_there_is_one(org, issued, url):
    response = client_for(org.head).get(url(issued, "docx"))
    if issued.docx:
        assert response.status_code == 200
        assert f'filename="QD-01-A-{issued.year}.docx"' in response["Content-Disposition"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("url", [page_url, api_url])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_who_may_not_see_the_proposal_gets_404(org, issued, url, fmt):
    assert client_for(org.commune_head).get(url(issued, fmt)).status_code == 404


def test_a_document_of_another_proposal_is_404(org, issued):
    other = approve(org)
    response = client_for(org.cadre).get(f"/proposals/{other.pk}/documents/{issued.pk}.pdf")
    assert response.status_code == 404


@pytest.mark.parametrize("url", [page_url, api_url])
def test_a_pending_document_is_409(org, url):
    document = OfficialDocument.objects.get(proposal=approve(org))
    response = client_for(org.cadre).get(url(document, "pdf"))
    assert response.status_code == 409


def test_anonymous_is_sent_to_sign_in_or_401(issued):
    assert Client().get(page_url(issued, "pdf")).status_code == 302
    assert Client().get(api_url(issued, "pdf")).status_code == 401


def test_the_proposal_page_lists_its_documents(org, issued):
    pending = approve(org)
    page = client_for(org.cadre).get(f"/proposals/{issued.proposal_id}/").content.decode()
    assert "01/QĐ-A" in page
    assert page_url(issued, "pdf") in page
    assert issued.pdf_sha256 in page
    # In Vietnamese, the interface's default language.
    assert "Quyết định số 01/QĐ-A" in page and "PDF (đã ký số)" in page
    page = client_for(org.cadre).get(f"/proposals/{pending.pk}/").content.decode()
    assert "02/QĐ-A" in page
    assert "documents/" not in page.split("02/QĐ-A", 1)[1].split("</li>", 1)[0]


def test_the_api_lists_the_documents(org, issued):
    response = client_for(org.cadre).get(f"/api/v1/proposals/{issued.proposal_id}/documents/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["reference"] == "01/QĐ-A"
    assert row["status"] == "issued"
    assert row["pdf_sha256"] == issued.pdf_sha256
    assert row["pdf_url"] == api_url(issued, "pdf")
    assert row["issue_seq"] == issued.issue_entry.seq
    assert row["signer"] == "Trần Văn Giám"
    outsider = client_for(org.commune_head)
    assert outsider.get(f"/api/v1/proposals/{issued.proposal_id}/documents/").status_code == 404


def _add_documents(proposal, unit, count, start):
    entry = LedgerEntry.objects.filter(proposal=proposal).order_by("-seq").first()
    for i in range(count):
        OfficialDocument.objects.create(
            proposal=proposal,
            decision_entry=entry,
            kind=f"extra{start + i}",
            doc_type="TB",
            unit=unit,
            year=2030,
            number=start + i,
            symbol="A",
            issued_on=timezone.localdate(),
            content={"subject": "Về việc thử", "signer": {"name": "Trần Văn Giám"}},
        )


@pytest.mark.parametrize("where", ["api", "page"])
def test_lists_take_a_constant_number_of_queries(org, issued, where):
    client = client_for(org.cadre)
    url = (
        f"/api/v1/proposals/{issued.proposal_id}/documents/"
        if where == "api"
        else f"/proposals/{issued.proposal_id}/"
    )
    client.get(url)
    counts = []
    for start, count in ((1, 1), (10, 6)):
        _add_documents(issued.proposal, org.agency, count, start)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
