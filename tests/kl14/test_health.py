"""/healthz is liveness; /readyz names each dependency and is 503 only without the database."""

from unittest import mock

import pytest
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

pytestmark = pytest.mark.django_db


def broker_at(url):
    from kl14.celery import app

    real = app.connection_for_write
    return mock.patch.object(app, "connection_for_write", lambda: real(url))


def test_healthz_is_liveness_only(client):
    with mock.patch.object(CursorWrapper, "execute", side_effect=RuntimeError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_every_dependency(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "cache", "outbox"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["broker"] == {"status": "ok"}
    assert body["checks"]["outbox"]["status"] in ("ok", "absent")


def test_readyz_on_redis(client, redis_url):
    with broker_at(redis_url):
        response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["status"] == "ok"


def test_readyz_is_degraded_not_503_when_the_broker_does_not_answer(client):
    with broker_at("redis://127.0.0.1:1/0"):
        response = client.get(reverse("readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_is_503_when_the_database_does_not_answer(client):
    from django.db import OperationalError

    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("down")):
        response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "unavailable", "error": "OperationalError"}
