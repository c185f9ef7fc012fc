"""Export jobs through a real Celery worker on Redis (a redis-server of the test's own): asked on
the page, built in the worker, downloaded; and asked while the broker is down, then built once it
is back, when beat's sweep (sent through the broker like any beat task) hands the job over."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from exports import tasks
from exports.models import ExportJob
from kl14.celery import app
from tests.factories.reviews import decided
from tests.servers import PrivateRedis

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sqlite_reads_take_no_table_lock"),
]


@pytest.fixture
def broker():
    """kl14's Celery app, not eager, on a private Redis and a queue of its own."""
    redis = PrivateRedis()
    queue = f"kl14-test-{uuid.uuid4().hex}"
    overrides = {
        "broker_url": redis.url,
        "broker_transport_options": {"visibility_timeout": 3600},
        "broker_connection_timeout": 1,
        "broker_connection_max_retries": 0,
        "task_always_eager": False,
        "task_default_queue": queue,
    }
    saved = {key: app.conf.get(key) for key in overrides}

    def reset_connections():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(overrides)
    reset_connections()
    redis.queue = queue
    try:
        yield redis
    finally:
        app.conf.update(saved)
        reset_connections()
        redis.kill()


def worker(queue):
    return start_worker(
        app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10
    )


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def done(job):
    job.refresh_from_db()
    return job.status == ExportJob.Status.DONE


def test_a_dossier_asked_on_the_page_is_built_by_the_worker(broker, org, proposal):
    protected = decided(proposal, head=org.head, party=org.party)
    broker.start()
    client = Client()
    client.force_login(org.cadre)
    with worker(broker.queue):
        response = client.post("/exports/new/", {"kind": "dossier", "proposal": protected.pk})
        assert response.status_code == 302  # the request did not wait for the file
        job = ExportJob.objects.get()
        assert wait_for(lambda: done(job)), (job.status, job.last_error)
    file = client.get(f"/exports/{job.pk}/file/")
    assert file.status_code == 200 and file["X-Content-SHA256"] == job.sha256


def test_a_job_asked_while_the_broker_is_down_is_built_once_it_is_back(broker, org):
    client = Client()
    client.force_login(org.orgboard)
    response = client.post("/exports/new/", {"kind": "period_report", "format": "xlsx"})
    assert response.status_code == 302  # asking works with the broker down
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED

    broker.start()
    with worker(broker.queue):
        tasks.dispatch_due.delay()  # what beat sends every minute, through the broker
        assert wait_for(lambda: done(job)), (job.status, job.last_error)
    assert client.get(f"/exports/{job.pk}/file/").status_code == 200
