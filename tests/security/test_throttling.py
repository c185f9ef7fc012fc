"""`POST /api/v1/auth/token/` is throttled per client (api.md: too many attempts answer 429), so a
password cannot be guessed through it; and the throttle cannot be stepped around."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from units.api import TokenThrottle

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LIMIT = TokenThrottle().num_requests  # KL14_TOKEN_THROTTLE, 10/minute by default


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _guess(client, username="head", password="wrong", **headers):  # noqa: S107
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **headers,
    )


def test_a_wrong_password_is_400_and_the_right_one_gives_a_token(world, client):
    world.head.set_password(PASSWORD)
    world.head.save(update_fields=["password"])
    assert _guess(client).status_code == 400
    response = _guess(client, password=PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=world.head).key


def test_too_many_attempts_are_429_even_with_the_right_password(world, client):
    world.head.set_password(PASSWORD)
    world.head.save(update_fields=["password"])
    assert LIMIT <= 20
    for _ in range(LIMIT):
        assert _guess(client).status_code == 400
    response = _guess(client, password=PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert not Token.objects.filter(user=world.head).exists()


def test_the_count_is_per_client_address(world, client):
    for _ in range(LIMIT):
        _guess(client, username="someone", REMOTE_ADDR="10.0.0.1")
    assert _guess(client, username="someone else", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _guess(client, username="someone else", REMOTE_ADDR="10.0.0.2").status_code == 400


def test_the_count_is_per_account_too(world, client):
    """Guessing one account's password from many addresses is throttled as well."""
    for n in range(LIMIT):
        _guess(client, REMOTE_ADDR=f"10.0.1.{n}")
    assert _guess(client, REMOTE_ADDR="10.0.2.1").status_code == 429
    assert _guess(client, username="deputy", REMOTE_ADDR="10.0.2.1").status_code == 400


def test_a_forged_x_forwarded_for_does_not_reset_the_count(world, client):
    statuses = [
        _guess(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(LIMIT + 5)
    ]
    assert 429 in statuses


def test_a_client_signed_in_with_a_token_is_throttled_too(world, client):
    mine = Token.objects.create(user=world.cadre)
    statuses = [
        _guess(client, HTTP_AUTHORIZATION=f"Token {mine.key}").status_code for _ in range(LIMIT + 5)
    ]
    assert 429 in statuses
