"""The pages and the API of export jobs: the buttons post (CSRF) and land on the job's page, which
polls its status with htmx and offers the file when done; the list of one's exports; the API's
202, status and file; 404 for anyone but the requester; fixed query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exports import services
from exports.models import ExportJob
from tests.exports.flows import on_commit
from tests.factories.reviews import decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(org, proposal):
    return decided(proposal, head=org.head, party=org.party)


def client_for(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def queued(user, kind="period_report", **params) -> ExportJob:
    """A job the broker has not handed to a worker yet."""
    job, _created = services.export_request(actor=user, kind=kind, params=params)
    return job


# --- the pages ---------------------------------------------------------------------------------


def test_the_button_posts_with_csrf_and_lands_on_the_jobs_page(org, protected):
    client = client_for(org.cadre, enforce_csrf_checks=True)
    page = client.get(f"/reviews/{protected.pk}/").content.decode()
    assert 'id="dossier-export"' in page and "csrfmiddlewaretoken" in page
    ask = {"kind": "dossier", "proposal": protected.pk}
    assert client.post("/exports/new/", ask).status_code == 403  # no CSRF token: refused
    assert not ExportJob.objects.exists()
    token = client.cookies["csrftoken"].value
    with on_commit():
        response = client.post("/exports/new/", {**ask, "csrfmiddlewaretoken": token})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"


def test_the_dashboard_asks_for_the_report_of_what_it_shows(org):
    client = client_for(org.orgboard)
    page = client.get("/dashboard/", {"unit": org.agency.pk, "period": "year", "year": 2026})
    html = page.content.decode()
    assert 'id="report-export"' in html and 'action="/exports/new/"' in html
    for name, value in (("unit", org.agency.pk), ("period", "year"), ("year", 2026)):
        assert f'name="{name}" value="{value}"' in html
    assert 'name="format" value="xlsx"' in html and 'name="format" value="pdf"' in html


def test_the_jobs_page_polls_until_done_then_offers_the_file(org, protected):
    client = client_for(org.cadre)
    job = queued(org.cadre, "dossier", proposal=protected.pk)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'aria-valuenow="0"' in page
    assert "Đang chờ đến lượt chuẩn bị tệp" in page
    # htmx's poll gets the status part alone.
    part = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert part.lstrip().startswith('<section id="export-status"') and "<html" not in part
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    part = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="40"' in part and "Đang chuẩn bị tệp" in part
    ExportJob.objects.filter(pk=job.pk).update(status="queued", progress=0)
    services.export_build(pk=job.pk)
    part = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in part  # finished: the polling stops
    assert "Tệp đã sẵn sàng." in part and f"/exports/{job.pk}/file/" in part
    job.refresh_from_db()
    assert job.reference in part and job.sha256 in part
    download = client.get(f"/exports/{job.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-SHA256"] == job.sha256
    assert download["X-Verification-Code"] == job.reference


def test_a_failure_says_why_and_offers_to_ask_again(org, protected):
    job = queued(org.cadre, "dossier", proposal=protected.pk)
    ExportJob.objects.filter(pk=job.pk).update(
        status="failed", error="Đồng chí không còn xem được nội dung của tệp này."
    )
    page = client_for(org.cadre).get(f"/exports/{job.pk}/").content.decode()
    assert "Không tạo được tệp." in page
    assert "Đồng chí không còn xem được nội dung của tệp này." in page
    assert "Yêu cầu lại" in page and "hx-trigger" not in page


def test_only_the_requester_sees_the_job_and_its_file(org, protected):
    job = queued(org.cadre, "dossier", proposal=protected.pk)
    services.export_build(pk=job.pk)
    for other in (org.cadre2, org.head, org.commune_cadre):
        client = client_for(other)
        for url in (
            f"/exports/{job.pk}/",
            f"/exports/{job.pk}/file/",
            f"/api/v1/exports/{job.pk}/",
        ):
            assert client.get(url).status_code == 404, (other, url)
    assert client_for(org.cadre).get(f"/exports/{job.pk}/file/").status_code == 200
    anonymous = Client()
    assert anonymous.get(f"/exports/{job.pk}/").status_code == 302  # to sign in
    assert anonymous.get(f"/api/v1/exports/{job.pk}/").status_code == 401


def test_asking_answers_the_kinds_errors(org, protected):
    outsider = client_for(org.commune_cadre)
    assert (
        outsider.post("/exports/new/", {"kind": "dossier", "proposal": protected.pk}).status_code
        == 404
    )
    assert client_for(org.cadre).post("/exports/new/", {"kind": "period_report"}).status_code == 403
    board = client_for(org.orgboard)
    assert (
        board.post("/exports/new/", {"kind": "period_report", "format": "doc"}).status_code == 400
    )
    assert board.get("/exports/new/").status_code == 405
    assert not ExportJob.objects.exists()


def test_the_list_of_my_exports_in_a_fixed_number_of_queries(org, protected):
    client = client_for(org.orgboard)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    queued(org.orgboard)
    few = {url: count(url) for url in ("/exports/", "/api/v1/exports/")}
    for year in (2023, 2024, 2025):
        queued(org.orgboard, period="year", year=year)
    queued(org.cadre, "dossier", proposal=protected.pk)  # someone else's: not listed
    assert {url: count(url) for url in few} == few
    page = client.get("/exports/").content.decode()
    assert page.count('href="/exports/') == 4
    body = client.get("/api/v1/exports/").json()
    assert body["count"] == 4 and {j["kind"] for j in body["results"]} == {"period_report"}


def test_the_status_in_a_fixed_number_of_queries(org, protected):
    client = client_for(org.cadre)
    job = queued(org.cadre, "dossier", proposal=protected.pk)
    for url in (f"/exports/{job.pk}/", f"/api/v1/exports/{job.pk}/"):
        with CaptureQueriesContext(connection) as queued_queries:
            assert client.get(url).status_code == 200
        services.export_build(pk=job.pk)
        with CaptureQueriesContext(connection) as done_queries:
            assert client.get(url).status_code == 200
        assert len(done_queries) == len(queued_queries), url
        ExportJob.objects.filter(pk=job.pk).update(status="queued")


# --- the API ------------------------------------------------------------------------------------


def test_the_api_asks_follows_and_downloads(org, protected):
    client = client_for(org.cadre)
    with on_commit():
        response = client.post(
            "/api/v1/exports/",
            {"kind": "dossier", "proposal": protected.pk},
            content_type="application/json",
        )
    assert response.status_code == 202
    job = response.json()
    # Absolute, as the schema's `format: uri` says (schemathesis checks it in tests/e2e).
    assert response["Location"] == f"http://testserver/api/v1/exports/{job['id']}/" == job["url"]
    assert job["status"] == "queued" and job["file_url"] is None
    status = client.get(response["Location"]).json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["file_url"] == f"http://testserver/api/v1/exports/{job['id']}/file/"
    file = client.get(status["file_url"])
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert file["X-Content-SHA256"] == status["sha256"]


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("cadre", {"kind": "period_report"}, 403),
        ("commune_cadre", {"kind": "dossier", "proposal": "mine"}, 404),
        ("cadre", {"kind": "dossier"}, 400),
        ("cadre", {"kind": "pdf"}, 400),
        ("orgboard", {"kind": "period_report", "format": "doc"}, 400),
        ("orgboard", {"kind": "period_report", "quarter": 9, "period": "quarter"}, 400),
    ],
)
def test_the_api_refuses_clearly(org, protected, who, body, status):
    body = {k: protected.pk if v == "mine" else v for k, v in body.items()}
    response = client_for(getattr(org, who)).post(
        "/api/v1/exports/", body, content_type="application/json"
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["errors"]
    assert not ExportJob.objects.exists()


def test_the_api_file_waits_for_the_job(org):
    client = client_for(org.orgboard)
    job = queued(org.orgboard)
    response = client.get(f"/api/v1/exports/{job.pk}/file/")
    assert response.status_code == 409 and response.json()["code"] == "export_not_ready"


def test_the_old_api_address_answers_the_job_then_the_file(org, protected):
    client = client_for(org.cadre)
    url = f"/api/v1/proposals/{protected.pk}/dossier/"
    with on_commit():
        first = client.get(url)
    assert first.status_code == 202 and first["Location"].startswith(
        "http://testserver/api/v1/exports/"
    )
    again = client.get(url)
    assert again.status_code == 200 and again["Content-Type"] == "application/pdf"
    assert ExportJob.objects.count() == 1  # the same job's file
    # The ledger moved on: the file is no longer current, a new dossier is built.
    from proposals.services import record_action

    record_action(proposal=protected, actor=org.head, event="lesson_unpublish", payload={})
    assert client.get(url).status_code == 202
    assert ExportJob.objects.count() == 2


def test_the_old_page_address_leads_to_the_button(org, protected):
    client = client_for(org.cadre)
    response = client.get(f"/reviews/{protected.pk}/dossier.pdf")
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{protected.pk}/#dossier"
    assert not ExportJob.objects.exists()
    assert (
        client_for(org.commune_cadre).get(f"/reviews/{protected.pk}/dossier.pdf").status_code == 404
    )


def test_the_admin_lists_the_jobs_read_only(org, django_user_model):
    job = queued(org.orgboard)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    client = client_for(admin)
    listing = client.get("/admin/exports/exportjob/")
    assert listing.status_code == 200 and job.title in listing.content.decode()
    assert client.get(f"/admin/exports/exportjob/{job.pk}/change/").status_code == 200
    assert client.get("/admin/exports/exportjob/add/").status_code == 403
