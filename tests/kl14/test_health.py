from unittest import mock

import pytest
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def broker_at(url):
    from kl14.celery import app

    real = app.connection_for_write
    return mock.patch.object(app, "connection_for_write", lambda: real(url))


def test_healthz_on_redis(client, redis_url):
    with broker_at(redis_url):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200


def test_healthz_is_503_when_the_broker_does_not_answer(client):
    with broker_at("redis://127.0.0.1:1/0"):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_does_not_answer(client):
    from django.db import OperationalError

    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("down")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
