"""Degrade, do not fail (issue 13): with Redis (cache and broker) killed, people still sign in on
the page and for a token, save and submit their work through the pages and the API, and /readyz
names what is down; with PostgreSQL connections killed, the next request recovers."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from kl14.celery import app
from proposals.models import Proposal, State
from tests.conftest import skip_or_fail
from tests.proposals.test_api import dossier
from tests.proposals.test_views import form_data
from tests.servers import PrivateRedis

pytestmark = pytest.mark.services

PASSWORD = "secret-pass-123"


@pytest.fixture
def private_redis():
    """A redis-server of this test alone, on a port of its own; `kill()` stops it dead."""
    redis = PrivateRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


@pytest.fixture
def on_private_redis(private_redis):
    """The app's cache and Celery broker on the private Redis, tasks really sent (not eager)."""
    caches = {
        "default": {
            "BACKEND": "kl14.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    overrides = {"broker_url": private_redis.url, "task_always_eager": False}
    saved = {key: app.conf.get(key) for key in overrides}

    def reset_connections():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(overrides)
    reset_connections()
    try:
        with override_settings(CACHES=caches):
            from django.core.cache import cache

            cache.set("probe", 1)
            assert cache.get("probe") == 1  # really on Redis before it dies
            yield private_redis
    finally:
        app.conf.update(saved)
        reset_connections()


@pytest.mark.django_db(transaction=True)
def test_with_redis_killed_people_sign_in_and_save_their_work(on_private_redis, org):
    on_private_redis.kill()

    # /readyz says what is down, and stays 200: the app still serves.
    ready = Client().get(reverse("readyz"))
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert ready.json()["status"] == "degraded"
    assert (checks["broker"]["status"], checks["cache"]["status"]) == ("unavailable",) * 2
    assert checks["database"]["status"] == "ok"

    # Sign in on the page, and for an API token.
    page = Client()
    response = page.post(reverse("login"), {"username": "cadre", "password": PASSWORD})
    assert response.status_code == 302
    api = Client()
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "cadre", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]

    # Save a proposal through the form and through the API, then submit it.
    response = page.post(reverse("proposals:create"), form_data(org.agency, action="save"))
    assert response.status_code == 302
    response = api.post(
        "/api/v1/proposals/",
        dossier(home_unit=org.agency.pk),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201, response.content
    created = response.json()["id"]
    response = api.post(
        f"/api/v1/proposals/{created}/transitions/submit/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200, response.content
    assert Proposal.objects.count() == 2
    assert Proposal.objects.get(pk=created).state == State.SUBMITTED


# --- PostgreSQL ---------------------------------------------------------------------------------


def terminate(pid):
    """pg_terminate_backend from a connection of its own, as an operator (or a failover) would."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def persistent_connections(transactional_db):
    """The request's connection kept between requests (CONN_MAX_AGE, as in production with
    DJANGO_CONN_MAX_AGE), with the health check the settings turn on."""
    if connection.vendor != "postgresql":
        skip_or_fail("this test needs PostgreSQL (set DATABASE_URL)")
    saved = dict(connection.settings_dict)
    connection.settings_dict["CONN_MAX_AGE"] = 600
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    yield connection
    connection.close()  # the test's own connection may be the one that was killed
    connection.settings_dict.update(saved)


class Server:
    """Django's WSGI handler called in this thread, as a gunicorn sync worker calls it: unlike the
    test client it sends request_started, whose close_old_connections checks (CONN_HEALTH_CHECKS)
    and replaces a connection PostgreSQL closed, and the connection persists between requests."""

    def __init__(self, user):
        from django.conf import settings as django_settings

        client = Client()
        client.force_login(user)
        self.cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies['sessionid'].value}"

    def get(self, path) -> int:
        from django.core.handlers.wsgi import WSGIHandler
        from django.test.client import RequestFactory

        environ = RequestFactory()._base_environ(
            PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=self.cookie
        )
        statuses = []
        response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        response.close()  # request_finished
        return int(statuses[0].split()[0])


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_next_request_recovers_after_the_connection_is_killed(persistent_connections, org):
    server = Server(org.cadre)
    assert server.get("/api/v1/proposals/") == 200
    before = backend_pid()  # the connection the request left open
    assert server.get("/api/v1/proposals/") == 200
    assert backend_pid() == before  # persistent indeed
    terminate(before)
    assert server.get("/api/v1/proposals/") == 200
    assert backend_pid() != before


def test_killed_mid_request_then_the_next_request_succeeds(persistent_connections, org):
    server = Server(org.cadre)
    assert server.get("/proposals/") == 200
    killed = []

    def kill_before_the_query(execute, sql, params, many, context):
        if not killed and "proposals_proposal" in sql:
            killed.append(context["connection"].connection.info.backend_pid)
            terminate(killed[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kill_before_the_query):
        assert server.get("/proposals/") == 500
    assert killed
    assert server.get("/proposals/") == 200
    assert backend_pid() != killed[0]
