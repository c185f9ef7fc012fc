"""Limits that count what is there, then add one, hold when requests arrive at once (the race
probe, on PostgreSQL: twelve exports sent together queued eight against a limit of five; ten
password-reset requests sent together e-mailed one account seven times against three an hour).
Each request runs in a thread of its own, with its own connection; a pause between the count and
the write lets every one of them count before any writes, as happens under load."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection

from accounts import services as accounts
from accounts.models import PasswordResetRequest
from exports import services as exports
from exports.models import ExportJob
from kl14.errors import Conflict
from tests.conftest import skip_or_fail

CALLS = 8
PAUSE = 0.3  # seconds between counting and writing
KIND = "period_report"


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        skip_or_fail("requests at once on their own connections need PostgreSQL (DATABASE_URL)")


def at_once(call) -> list:
    """`call()` from CALLS threads started together: what each answered or raised."""
    results = [None] * CALLS
    start = threading.Barrier(CALLS)

    def run(index):
        start.wait()
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def slowed(manager, name):
    """`manager.name` pausing before it writes."""
    original = getattr(manager, name)

    def paused(*args, **kwargs):
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    return mock.patch.object(manager, name, paused)


def test_exports_sent_at_once_stay_within_the_limit_and_are_one_job_each(pg, org, settings):
    settings.KL14_EXPORT_MAX_IN_FLIGHT = 5
    year = iter(range(2000, 2000 + CALLS))
    lock = threading.Lock()

    def ask_a_new_one():
        with lock:
            params = {"period": "year", "year": next(year)}
        return exports.export_request(actor=org.orgboard, kind=KIND, params=params)

    with slowed(ExportJob.objects, "create"):
        answers = at_once(ask_a_new_one)
    refused = [a for a in answers if isinstance(a, Conflict)]
    assert ExportJob.objects.filter(requested_by=org.orgboard).count() == 5
    assert len(refused) == CALLS - 5, answers

    ExportJob.objects.all().delete()
    same = {"period": "year", "year": 2026}
    with slowed(ExportJob.objects, "create"):
        at_once(
            lambda: exports.export_request(actor=org.orgboard, kind="period_report", params=same)
        )
    assert ExportJob.objects.filter(requested_by=org.orgboard).count() == 1


def test_password_resets_sent_at_once_stay_within_the_hourly_share(pg, settings):
    settings.KL14_PASSWORD_RESET_PER_ACCOUNT = 3
    settings.KL14_PASSWORD_RESET_PER_ADDRESS = 100
    with slowed(PasswordResetRequest.objects, "create"):
        answers = at_once(
            lambda: accounts.password_reset_allowed(address="203.0.113.7", email="an@example.vn")
        )
    assert sorted(answers, key=str) == [False] * (CALLS - 3) + [True] * 3
    assert PasswordResetRequest.objects.count() == 3
