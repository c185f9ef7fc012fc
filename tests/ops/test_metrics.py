"""The metrics endpoint: what an operator sees, and who may see it."""

import datetime
import re

import pytest
from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from ops.models import TaskFailure
from proposals.models import State
from tests.factories import grant
from tests.factories.proposals import ProposalFactory, in_state
from units.models import Role

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scraper(settings):
    settings.KL14_METRICS_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def metrics(client, **headers) -> str:
    cache.clear()
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_nobody_scrapes_without_the_token_or_an_allowed_address(client, settings):
    settings.KL14_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.KL14_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    # A signed-in superuser is no scraper either.
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))
    assert client.get("/metrics").status_code == 404


def test_an_allowed_address_may_scrape(client, settings):
    import ipaddress

    settings.KL14_METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    # X-Forwarded-For does not count: only the socket's address does.
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 404


def test_the_operator_sees_states_deadlines_and_failures(client, scraper, tree):
    author = grant(tree["agency"], Role.CADRE)
    grant(tree["agency"], Role.HEAD)
    ProposalFactory(created_by=author, home_unit=tree["agency"])
    late = ProposalFactory(created_by=author, home_unit=tree["agency"])
    in_state(late, State.SUBMITTED, decision_due=timezone.localdate() - datetime.timedelta(days=3))
    on_time = ProposalFactory(created_by=author, home_unit=tree["agency"])
    in_state(
        on_time, State.SUBMITTED, decision_due=timezone.localdate() + datetime.timedelta(days=3)
    )
    TaskFailure.objects.create(task="notifications.send_digests", exception="SMTPException")

    text = metrics(client, **scraper)
    assert "kl14_metrics_up 1.0" in text
    assert 'kl14_proposals{state="draft"} 1.0' in text
    assert 'kl14_proposals{state="submitted"} 2.0' in text
    assert 'kl14_proposals{state="institutionalized"} 0.0' in text
    assert 'kl14_deadlines_overdue{kind="proposals.decision"} 1.0' in text
    assert 'kl14_deadlines_overdue{kind="pilots.final_report"} 0.0' in text
    assert 'kl14_task_failures_total{task="notifications.send_digests"} 1.0' in text
    assert 'kl14_task_failures_last_24h{task="notifications.send_digests"} 1.0' in text
    # django-prometheus's own: requests and responses of the web process.
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_responses_total_by_status_total" in text


def test_the_outbox_backlog_is_shown_when_the_outbox_exists(client, scraper):
    text = metrics(client, **scraper)
    try:
        from notifications.selectors import outbox_backlog  # noqa: F401
    except ImportError:
        assert "kl14_outbox_pending" not in text
    else:
        assert "kl14_outbox_pending 0.0" in text
        assert "kl14_outbox_oldest_pending_age 0.0" in text


@shared_task(name="tests.ops.always_fails")
def always_fails():
    raise RuntimeError("the broker is down")


def test_a_failing_task_is_recorded_for_every_process_to_count(settings):
    settings.CELERY_TASK_EAGER_PROPAGATES = False
    from kl14.celery import app

    app.conf.task_eager_propagates = False
    try:
        always_fails.delay()
    finally:
        app.conf.task_eager_propagates = True
    failure = TaskFailure.objects.get()
    assert (failure.task, failure.exception, failure.message) == (
        "tests.ops.always_fails",
        "RuntimeError",
        "the broker is down",
    )


def test_figures_that_cannot_be_read_say_so(client, scraper, monkeypatch):
    import ops.metrics

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(ops.metrics, "_proposal_states", broken)
    text = metrics(client, **scraper)
    assert "kl14_metrics_up 0.0" in text


def test_the_outbox_backlog_counts_waiting_retrying_and_failed_mail(client, scraper):
    """What an operator watches when mail is stuck: waiting, retrying, given up, and how long
    the oldest has waited."""
    from notifications.models import OutboxEmail

    old = timezone.now() - datetime.timedelta(minutes=10)
    OutboxEmail.objects.create(kind="message", message={}, created_at=old, attempts=3)
    OutboxEmail.objects.create(kind="message", message={})
    OutboxEmail.objects.create(kind="message", message={}, status="failed", attempts=60)
    OutboxEmail.objects.create(kind="message", message={}, status="sent")
    text = metrics(client, **scraper)
    assert "kl14_outbox_pending 2.0" in text
    assert "kl14_outbox_retrying 1.0" in text
    assert "kl14_outbox_failed 1.0" in text
    age = float(re.search(r"^kl14_outbox_oldest_pending_age (\S+)$", text, re.M).group(1))
    assert 600 <= age < 3600
