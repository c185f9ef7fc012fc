"""A write the database refused for a passing reason (a deadlock, a transaction it could not
serialize, a lock it could not take, SQLite's "database is locked") is run again; what still
fails answers 503 with Retry-After, having saved nothing (kl14/transient.py). Through a real
server, with the refusal made up once, always, on uploads small and large, and, on PostgreSQL, a
real deadlock between the request and another connection."""

import hashlib
import logging
import sqlite3
import threading
import time
from unittest import mock

import psycopg
import pytest
from django.db import IntegrityError, connection

from kl14.transient import RETRIES, is_transient
from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Attachment, State
from reviews import rollups
from tests.factories.files import pdf_bytes
from tests.factories.proposals import ProposalFactory, fresh, in_state

from .http import request, token_for
from .refusals import Refuse, refusal

REASON = {"reason": "Vượt thẩm quyền của Sở"}


@pytest.mark.parametrize(
    ("cause", "transient"),
    [
        (psycopg.errors.DeadlockDetected("deadlock detected"), True),
        (psycopg.errors.SerializationFailure("could not serialize access"), True),
        (psycopg.errors.LockNotAvailable("could not obtain lock"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (psycopg.errors.AdminShutdown("terminating connection"), False),
        (psycopg.OperationalError("connection refused"), False),
        (sqlite3.OperationalError("no such table: x"), False),
    ],
)
def test_which_refusals_are_run_again(cause, transient):
    assert is_transient(refusal(cause)) is transient
    assert is_transient(IntegrityError("duplicate key")) is False
    assert is_transient(None) is False


@pytest.fixture
def live(live_server, transactional_db):
    return live_server.url


def _escalate(base, org, proposal, token=None):
    token = token or token_for(base, org.head)
    path = f"/api/v1/proposals/{proposal.pk}/transitions/escalate/"
    return request(base, "POST", path, REASON, token=token)


def test_a_deadlock_once_is_run_again_and_saved_once(live, org, draft):
    proposal = in_state(draft, State.UNDER_REVIEW)
    token = token_for(live, org.head)
    refuse = Refuse(times=1)
    with mock.patch.object(services, "ledger_append", refuse):
        status, body, _ = _escalate(live, org, proposal, token)
    assert status == 200, body
    assert refuse.calls == 2
    proposal = fresh(proposal)
    assert proposal.deciding_unit_id == org.province.pk
    assert LedgerEntry.objects.filter(proposal=proposal, event="escalate").count() == 1
    assert rollups.current() == rollups.expected()


def test_a_refusal_that_lasts_answers_503_and_saves_nothing(live, org, draft):
    proposal = in_state(draft, State.UNDER_REVIEW)
    token = token_for(live, org.head)
    before = (proposal.state, proposal.deciding_unit_id, LedgerEntry.objects.count())
    refuse = Refuse(times=RETRIES + 5)
    with mock.patch.object(services, "ledger_append", refuse):
        status, body, head = _escalate(live, org, proposal, token)
    assert status == 503, body
    assert body["code"] == "busy"
    assert "không có gì được lưu" in body["detail"]  # Vietnamese by default
    assert head["Retry-After"] == "1"
    assert refuse.calls == 1 + RETRIES
    proposal = fresh(proposal)
    assert (proposal.state, proposal.deciding_unit_id, LedgerEntry.objects.count()) == before
    # Once the database takes it, the same request goes through.
    assert _escalate(live, org, proposal, token)[0] == 200


def _post_form(client, path, data):
    """As a browser posts a form without files."""
    from urllib.parse import urlencode

    return client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")


def test_the_page_is_run_again_or_says_so_in_vietnamese(live, org, draft, client):
    """A head's form, posted from the page: saved after one refusal; after lasting refusals, the
    503 page says nothing was saved."""
    first, second = (in_state(draft, State.UNDER_REVIEW), in_state(
        ProposalFactory(home_unit=org.agency, created_by=org.cadre), State.UNDER_REVIEW
    ))  # fmt: skip
    client.force_login(org.head)
    with mock.patch.object(services, "ledger_append", Refuse(times=1)):
        response = _post_form(client, f"/proposals/{first.pk}/actions/escalate/", REASON)
    assert response.status_code == 302, response.content.decode()
    assert fresh(first).deciding_unit_id == org.province.pk
    with mock.patch.object(services, "ledger_append", Refuse(times=RETRIES + 5)):
        response = _post_form(client, f"/proposals/{second.pk}/actions/escalate/", REASON)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "không có gì được lưu" in response.content.decode()
    assert fresh(second).deciding_unit_id == org.agency.pk


class RefuseSave:
    """Wraps Attachment.save (after the upload's file is stored): refuses the first `times`
    calls as the database would; the service then deletes the file it stored."""

    def __init__(self, times):
        self.times, self.calls = times, 0
        self.save = Attachment.save

    def method(self):
        def save(attachment, *args, **kwargs):
            self.calls += 1
            if self.calls <= self.times:
                raise refusal(sqlite3.OperationalError("database is locked"))
            return self.save(attachment, *args, **kwargs)

        return save


def _upload(base, proposal, token, content):
    """A PDF posted to the API as multipart/form-data, over HTTP."""
    from urllib3 import encode_multipart_formdata

    body, content_type = encode_multipart_formdata(
        {"file": ("kế hoạch.pdf", content, "application/pdf")}
    )
    return request(
        base, "POST", f"/api/v1/proposals/{proposal.pk}/attachments/", raw=body,
        token=token, headers={"Content-Type": content_type},
    )  # fmt: skip


def _pdf_of(size):
    """A real PDF (uploads are opened as what they claim to be) of at least `size` bytes."""
    return pdf_bytes(padding=size)


@pytest.mark.parametrize("size", ["in memory", "on disk"])
def test_an_upload_is_run_again_from_the_start_of_its_file(live, org, draft, settings, size):
    """The first attempt read the file to check and store it; the second stores it whole. Below
    FILE_UPLOAD_MAX_MEMORY_SIZE the upload is kept in memory; above, it is a temporary file on
    disk, and the services give the storage a copy of it (kl14.files.stored_copy), so the storage
    does not move it away (the file-system storage would; the in-memory storage of the tests
    would delete it)."""
    limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    content = _pdf_of(200_000 if size == "in memory" else limit + 1000)
    refuse = RefuseSave(times=1)
    with mock.patch.object(Attachment, "save", refuse.method()):
        status, body, _ = _upload(live, draft, token_for(live, org.cadre), content)
    assert status == 201, body
    assert refuse.calls == 2
    (attachment,) = Attachment.objects.filter(proposal=draft)
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_an_upload_refused_for_good_answers_503_and_keeps_nothing(live, org, draft):
    refuse = RefuseSave(times=RETRIES + 5)
    with mock.patch.object(Attachment, "save", refuse.method()):
        status, body, head = _upload(live, draft, token_for(live, org.cadre), _pdf_of(1000))
    assert status == 503, body
    assert body["code"] == "busy" and head["Retry-After"] == "1"
    assert refuse.calls == 1 + RETRIES
    assert Attachment.objects.count() == 0


def test_an_upload_whose_temporary_file_is_gone_is_not_run_again():
    """Should anything take an upload's temporary file away, the request is not run again (it
    would store nothing, or fail): it answers 503 and the person sends it again."""
    import os

    from django.core.files.uploadedfile import TemporaryUploadedFile
    from django.utils.datastructures import MultiValueDict

    from kl14.transient import _rewound

    upload = TemporaryUploadedFile("a.pdf", "application/pdf", 4, None)
    upload.write(b"%PDF")
    try:
        assert _rewound(MultiValueDict({"file": [upload]}))
        assert upload.tell() == 0
        os.remove(upload.temporary_file_path())
        assert not _rewound(MultiValueDict({"file": [upload]}))
    finally:
        upload.close()


@pytest.mark.services
def test_a_real_deadlock_is_run_again(live, org, draft, caplog):
    """PostgreSQL: another connection holds the province's roll-up counters, the request locks
    the proposal and waits for them, then the other connection asks for the proposal. PostgreSQL
    aborts the request's transaction (the other connection waits longer before it looks for a
    deadlock); the request is run again once the other one is done, and saved once."""
    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("a real deadlock needs PostgreSQL (set DATABASE_URL)")
    caplog.set_level(logging.INFO, logger="kl14.transient")
    proposal = in_state(draft, State.UNDER_REVIEW)
    rollups.rebuild()  # in_state bypasses the services: count it as they would have
    token = token_for(live, org.head)
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    answer = {}
    try:
        other.execute("SET deadlock_timeout = '20s'")
        other.execute(
            "SELECT 1 FROM reviews_rollup WHERE unit_id = %s FOR UPDATE", [org.province.pk]
        )
        assert other.execute("SELECT count(*) FROM reviews_rollup WHERE unit_id = %s",
                             [org.province.pk]).fetchone()[0] > 0  # fmt: skip
        thread = threading.Thread(
            target=lambda: answer.update(result=_escalate(live, org, proposal, token))
        )
        thread.start()
        _wait_for_lock_wait(other)
        # The request holds the proposal and waits for the counters: ask for the proposal.
        other.execute("SELECT 1 FROM proposals_proposal WHERE id = %s FOR UPDATE", [proposal.pk])
        other.rollback()
        thread.join(timeout=60)
    finally:
        other.close()
    status, body, _ = answer["result"]
    assert status == 200, body
    (victim,) = [r for r in caplog.records if r.name == "kl14.transient"]
    assert "run again" in victim.getMessage() and "deadlock detected" in victim.getMessage()
    proposal = fresh(proposal)
    assert proposal.deciding_unit_id == org.province.pk
    assert LedgerEntry.objects.filter(proposal=proposal, event="escalate").count() == 1
    assert rollups.current() == rollups.expected()


def _wait_for_lock_wait(other):
    """Until another backend waits for a row `other` holds (the request, for the counters).
    pg_locks, not pg_stat_activity: that one is read once per transaction, and `other` is in
    one."""
    mine = other.info.backend_pid
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        (waiting,) = other.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s AND locktype = "
            "'transactionid' AND transactionid = (SELECT transactionid FROM pg_locks WHERE pid "
            "= %s AND locktype = 'transactionid' AND mode = 'ExclusiveLock')",
            [mine, mine],
        ).fetchone()
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the request never waited for the counters")


def _posted(path, data, **kwargs):
    from django.test import RequestFactory

    request = RequestFactory().post(path, data, **kwargs)
    request.POST  # noqa: B018 (read, as the view did)
    return request


def test_the_503_page_offers_to_send_the_form_again_as_it_was():
    from urllib.parse import urlencode

    from kl14.transient import resendable

    data = {
        "csrfmiddlewaretoken": "x" * 64,
        "comment": "Bổ sung <b>số liệu</b>",
        "roles": ["a", "b"],
    }
    fields = [("comment", "Bổ sung <b>số liệu</b>"), ("roles", "a"), ("roles", "b")]
    assert resendable(_posted("/proposals/1/actions/x/", data)) == fields
    urlencoded = _posted(
        "/proposals/1/actions/x/", urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert resendable(urlencoded) == fields


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/api/v1/proposals/1/transitions/x/", {"comment": "API"}),  # the client sends it again
        ("/accounts/password_change/", {"old_password": "a", "new_password1": "b"}),
        ("/accounts/two-factor/", {"code": "123456"}),
        ("/proposals/1/attachments/", {"file": _pdf_of(1000), "note": "kèm"}),
    ],
)
def test_what_a_page_must_not_hold_is_not_offered_again(path, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kl14.transient import resendable

    data = {
        key: SimpleUploadedFile("a.pdf", value) if isinstance(value, bytes) else value
        for key, value in data.items()
    }
    assert resendable(_posted(path, data)) is None


def test_a_body_read_as_a_stream_is_not_offered_again():
    from django.test import RequestFactory

    from kl14.transient import resendable

    request = RequestFactory().post(
        "/x/", "comment=a", content_type="application/x-www-form-urlencoded"
    )
    request.read()
    assert resendable(request) is None
