"""Export jobs (issue 12: heavy exports run in Celery with a progress indicator and a download
when ready, never in the request): asking writes a queued job handed to a worker on commit; the
worker builds the file, reports its progress and stores it with its SHA-256; a broker outage
only delays it (beat's sweep hands it over); who asked, and only while they still see what it
holds, gets the file."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from exports import kinds, services
from exports.models import ExportJob
from exports.permissions import access_job, job_file
from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from notifications.models import Notification
from proposals.models import ProposalAuthor
from reviews import dossier as dossiers
from reviews.models import DossierIssue
from signing.models import IssuedDocument
from signing.services import DOSSIER, PERIOD_REPORT
from tests.exports.flows import on_commit
from tests.factories.proposals import ProposalFactory
from tests.factories.reviews import decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(org, proposal):
    return decided(proposal, head=org.head, party=org.party)


def ask(actor, kind, **params):
    with on_commit():
        job, created = services.export_request(actor=actor, kind=kind, params=params)
    assert created
    job.refresh_from_db()
    return job


def content_of(job) -> bytes:
    with job.file.open("rb") as stored:
        return stored.read()


# --- asking and building -----------------------------------------------------------------------


def test_asking_writes_a_queued_job_that_is_handed_over_on_commit(org, protected):
    with on_commit():
        job, created = services.export_request(
            actor=org.cadre, kind="dossier", params={"proposal": protected.pk}
        )
        assert created and job.status == ExportJob.Status.QUEUED and job.progress == 0
        assert not job.file
        # The hand-over waits for the commit.
        assert connection.run_on_commit[-1][1].__module__ == "exports.services"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress == 100
    assert job.requested_by == org.cadre and job.params == {"proposal": protected.pk}
    assert job.title.startswith(f"Hồ sơ bảo vệ {protected.code}")
    assert job.finished_at and job.expires_at > job.finished_at


def test_the_dossier_is_stored_with_its_hash_and_verifies_as_issued(org, protected):
    job = ask(org.cadre, "dossier", proposal=protected.pk)
    pdf = content_of(job)
    assert pdf.startswith(b"%PDF")
    assert job.sha256 == hashlib.sha256(pdf).hexdigest() and job.size == len(pdf)
    assert job.filename == f"ho-so-bao-ve-{protected.code}.pdf"
    assert job.content_type == "application/pdf"
    # Registered when issued: the verification page recognises this very file and its code.
    document = IssuedDocument.objects.get(sha256=job.sha256)
    assert (document.kind, document.proposal, document.issued_by) == (DOSSIER, protected, org.cadre)
    assert DossierIssue.objects.filter(proposal=protected, code=job.reference).exists()
    check = dossiers.dossier_file_check(pdf)
    assert check.genuine and check.status == dossiers.VALID and check.code == job.reference
    assert dossiers.dossier_check(job.reference).status == dossiers.VALID


def test_the_period_report_as_a_spreadsheet_and_a_signed_pdf(org, protected):
    xlsx = ask(org.orgboard, "period_report", period="year", year=timezone.localdate().year)
    workbook = load_workbook(io.BytesIO(content_of(xlsx)))
    assert workbook.sheetnames[0] == "Tổng hợp"
    assert xlsx.filename == f"tong-ket-{timezone.localdate().year}-{org.province.code}.xlsx"
    assert xlsx.params["unit"] == org.province.pk and xlsx.params["format"] == "xlsx"

    pdf = ask(org.orgboard, "period_report", unit=org.agency.pk, format="pdf")
    assert pdf.filename == f"toan-bo-{org.agency.code}.pdf"
    document = IssuedDocument.objects.get(sha256=pdf.sha256)
    assert document.kind == PERIOD_REPORT and document.issued_by == org.orgboard


def test_the_worker_reports_its_progress_as_it_goes(org, monkeypatch):
    seen = []

    def build(job, progress):
        for percent in (10, 40, 80):
            progress(percent)
            seen.append(ExportJob.objects.get(pk=job.pk).progress)
        return kinds.Built(content=b"x", filename="x.txt", content_type="text/plain")

    monkeypatch.setitem(
        kinds._registry,
        "test",
        kinds.Kind(
            name="test",
            label="test",
            clean=lambda user, params: kinds.Request(params={}, title="Thử"),
            build=build,
            check_access=lambda user, job: None,
        ),
    )
    job = ask(org.cadre, "test")
    assert seen == [10, 40, 80]
    assert (job.status, job.progress) == (ExportJob.Status.DONE, 100)


# --- who may ask, and what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "kind", "params", "error"),
    [
        ("cadre", "period_report", {}, Forbidden),  # not an organization board: 403
        ("commune_cadre", "dossier", {"proposal": "mine"}, NotFound),  # not visible: 404
        ("orgboard", "period_report", {"unit": "commune2"}, None),  # in its subtree: fine
        ("commune_board", "period_report", {"unit": "agency"}, Invalid),  # outside: 400
        ("orgboard", "period_report", {"format": "docx"}, Invalid),
        ("orgboard", "period_report", {"period": "quarter", "quarter": 7}, Invalid),
        ("cadre", "dossier", {"proposal": "abc"}, Invalid),
        ("cadre", "dossier", {}, Invalid),
        ("cadre", "zip", {}, Invalid),
        ("cadre", "dossier", {"proposal": "draft"}, Conflict),  # a draft has no dossier: 409
    ],
)
def test_who_may_ask_for_what(org, protected, who, kind, params, error):
    draft = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
    values = {"mine": protected.pk, "draft": draft.pk, "commune2": org.commune2.pk}
    values.update(agency=org.agency.pk)
    params = {k: values.get(v, v) for k, v in params.items()}
    actor = getattr(org, who)
    if error is None:
        job, _created = services.export_request(actor=actor, kind=kind, params=params)
        assert job.pk
        return
    with pytest.raises(error) as raised:
        services.export_request(actor=actor, kind=kind, params=params)
    if error is Invalid:
        assert raised.value.errors  # which field, in words
    assert not ExportJob.objects.exists()  # nothing half-written


def test_the_same_export_asked_again_while_under_way_is_that_one(org, protected, settings):
    first, created = services.export_request(
        actor=org.cadre, kind="dossier", params={"proposal": protected.pk}
    )
    again, created_again = services.export_request(
        actor=org.cadre, kind="dossier", params={"proposal": str(protected.pk)}
    )
    assert created and not created_again and again.pk == first.pk
    # Another person's request is their own job.
    other, _ = services.export_request(
        actor=org.cadre2, kind="dossier", params={"proposal": protected.pk}
    )
    assert other.pk != first.pk


def test_one_person_has_a_few_exports_under_way_at_most(org, settings):
    settings.KL14_EXPORT_MAX_IN_FLIGHT = 2
    for year in (2024, 2025):
        services.export_request(
            actor=org.orgboard, kind="period_report", params={"period": "year", "year": year}
        )
    with pytest.raises(Conflict):
        services.export_request(
            actor=org.orgboard, kind="period_report", params={"period": "year", "year": 2026}
        )
    assert ExportJob.objects.count() == 2


# --- the broker, the workers, failures -----------------------------------------------------------


def test_a_job_asked_while_the_broker_is_down_is_built_by_the_sweep(org, protected, monkeypatch):
    from exports import tasks

    def refused(*args, **kwargs):
        raise ConnectionError("broker down")

    with monkeypatch.context() as broker_down:
        broker_down.setattr(tasks.build_export, "apply_async", refused)
        job = ask(org.cadre, "dossier", proposal=protected.pk)
        assert job.status == ExportJob.Status.QUEUED and job.next_attempt_at <= timezone.now()
        assert services.exports_dispatch_due() == 0  # still down: it waits
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED
    # The broker is back: beat's next sweep hands it over and the worker builds it.
    assert tasks.dispatch_due() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert IssuedDocument.objects.filter(sha256=job.sha256).exists()


def test_a_job_the_broker_took_is_not_handed_over_again_at_once(org, monkeypatch):
    from exports import tasks

    sent = []
    monkeypatch.setattr(tasks.build_export, "apply_async", lambda args, **kw: sent.append(args))
    ask(org.orgboard, "period_report")
    assert len(sent) == 1
    assert services.exports_dispatch_due() == 0  # a busy worker will get to it
    assert len(sent) == 1


def test_one_worker_builds_a_job_and_a_dead_workers_job_is_taken_over(org, monkeypatch):
    from exports import tasks

    monkeypatch.setattr(tasks.build_export, "apply_async", lambda *a, **kw: None)
    job = ask(org.orgboard, "period_report")
    token = services.export_claim(job.pk)
    assert token and services.export_claim(job.pk) is None  # another worker's: left alone
    assert services.export_build(pk=job.pk) is None
    # The first worker died: once its lease runs out, the sweep hands the job to another.
    ExportJob.objects.filter(pk=job.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    monkeypatch.undo()
    assert services.exports_dispatch_due() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2


def test_a_requester_who_lost_sight_of_the_proposal_gets_a_failure_in_words(org, protected):
    with on_commit():
        job, _ = services.export_request(
            actor=org.cadre2, kind="dossier", params={"proposal": protected.pk}
        )
        ProposalAuthor.objects.filter(proposal=protected, user=org.cadre2).delete()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert job.error == "Đồng chí không còn xem được nội dung của tệp này."


def test_an_unexpected_failure_is_retried_then_reported(org, monkeypatch, settings):
    from reviews import reports

    settings.KL14_EXPORT_MAX_ATTEMPTS = 2

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(reports, "period_report_xlsx", broken)
    job = ask(org.orgboard, "period_report")
    assert job.status == ExportJob.Status.QUEUED and job.attempts == 1
    assert job.last_error == "OSError: disk full" and job.error == ""
    assert job.next_attempt_at > timezone.now() + timedelta(seconds=50)  # backs off
    assert services.exports_dispatch_due() == 0  # not yet due
    ExportJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
    services.exports_dispatch_due()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.attempts == 2
    assert job.error == "Không tạo được tệp. Đồng chí vui lòng yêu cầu lại sau."
    # Told once, when it failed for good (not at the retried attempt).
    told = Notification.objects.filter(recipient=org.orgboard, url=f"/exports/{job.pk}/")
    assert [n.title for n in told] == [f"Không tạo được tệp: {job.title}"]


def test_the_requester_is_told_when_the_file_is_ready_in_their_language(org, protected):
    org.cadre.language = "en"
    org.cadre.save(update_fields=["language"])
    job = ask(org.cadre, "dossier", proposal=protected.pk)
    told = Notification.objects.get(recipient=org.cadre, url=f"/exports/{job.pk}/")
    assert told.title == f"Your file is ready: {job.title}"
    assert told.kind == "info" and not told.read_at
    # Nobody else is told.
    assert (
        not Notification.objects.filter(url=f"/exports/{job.pk}/")
        .exclude(recipient=org.cadre)
        .exists()
    )


def test_a_build_is_stopped_before_its_lease_runs_out(settings):
    from exports.tasks import build_export

    assert build_export.time_limit == settings.KL14_EXPORT_LEASE
    assert build_export.soft_time_limit < build_export.time_limit


# --- the file: the requester alone, while they may see it --------------------------------------


def test_only_the_requester_who_still_sees_it_gets_the_file(org, protected):
    job = ask(org.cadre2, "dossier", proposal=protected.pk)
    assert job_file(org.cadre2, job.pk) == job
    for other in (org.cadre, org.head, org.orgboard, org.commune_cadre):
        with pytest.raises(NotFound):
            access_job(other, job.pk)
    ProposalAuthor.objects.filter(proposal=protected, user=org.cadre2).delete()
    with pytest.raises(NotFound):
        access_job(org.cadre2, job.pk)


def test_a_board_that_left_the_unit_loses_its_report(org):
    job = ask(org.commune_board, "period_report")
    assert job_file(org.commune_board, job.pk) == job
    org.commune_board.memberships.all().delete()
    with pytest.raises(NotFound):
        job_file(type(org.commune_board).objects.get(pk=org.commune_board.pk), job.pk)


def test_no_file_before_it_is_ready_nor_after_it_expired(org, monkeypatch):
    from exports import tasks

    with monkeypatch.context() as broker_down:
        broker_down.setattr(tasks.build_export, "apply_async", lambda *a, **kw: None)
        job = ask(org.orgboard, "period_report")
    with pytest.raises(Conflict):
        job_file(org.orgboard, job.pk)
    services.export_build(pk=job.pk)
    assert job_file(org.orgboard, job.pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotFound):
        job_file(org.orgboard, job.pk)


def test_expired_jobs_are_purged_with_their_files(org):
    kept = ask(org.orgboard, "period_report")
    gone = ask(org.orgboard, "period_report", format="pdf")
    name = gone.file.name
    storage = gone.file.storage
    assert storage.exists(name)
    ExportJob.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.exports_purge_expired() == 1
    assert list(ExportJob.objects.all()) == [kept]
    assert not storage.exists(name)
