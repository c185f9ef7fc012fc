"""Sign-in limits (django-axes, in the database): only failed attempts count, per client address
and per account, on `POST /api/v1/auth/token/` and on the sign-in page alike; the limits cannot be
stepped around with a forged X-Forwarded-For (issue 10: the 11th *successful* sign-in from one
office's address got 429)."""

import pytest
from django.conf import settings

from accounts.models import ApiToken

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LIMIT = settings.AXES_FAILURE_LIMIT  # KL14_SIGN_IN_FAILURES, 10 by default


@pytest.fixture(autouse=True)
def passwords(world):
    for user in (world.head, world.deputy, world.cadre):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def _guess(client, username="head", password="wrong", **headers):  # noqa: S107
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **headers,
    )


def _page(client, username, password="wrong", **headers):  # noqa: S107
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def test_a_wrong_password_is_400_and_the_right_one_gives_a_token(world, client):
    assert _guess(client).status_code == 400
    response = _guess(client, password=PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry", "client"}
    assert ApiToken.objects.get(user=world.head).token_key == body["token"][:15]


def test_too_many_failures_are_429_even_with_the_right_password(world, client):
    assert LIMIT <= 20
    for _ in range(LIMIT - 1):
        assert _guess(client).status_code == 400
    assert _guess(client).status_code == 429  # the LIMIT-th failure locks the account out
    response = _guess(client, password=PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=world.head).exists()


def test_successful_sign_ins_never_count(world, client):
    """An office behind one NAT address: fifty people sign in at 8 a.m."""
    for _ in range(5 * LIMIT):
        assert _guess(client, password=PASSWORD).status_code == 200
        assert _page(client, "deputy", PASSWORD).status_code == 302
        client.logout()


def test_the_count_is_per_client_address(world, client):
    for n in range(LIMIT):
        _guess(client, username=f"someone{n}", REMOTE_ADDR="10.0.0.1")
    assert (
        _guess(client, username="cadre", password=PASSWORD, REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    assert (
        _guess(client, username="cadre", password=PASSWORD, REMOTE_ADDR="10.0.0.2").status_code
        == 200
    )


def test_the_count_is_per_account_too(world, client):
    """Guessing one account's password from many addresses is stopped as well."""
    for n in range(LIMIT):
        _guess(client, REMOTE_ADDR=f"10.0.1.{n}")
    assert _guess(client, password=PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 429
    assert (
        _guess(client, username="deputy", password=PASSWORD, REMOTE_ADDR="10.0.2.1").status_code
        == 200
    )


def test_the_page_and_the_token_endpoint_share_the_count(world, client):
    for _ in range(LIMIT - 1):
        assert _page(client, "head").status_code == 200
    assert _guess(client).status_code == 429
    response = _page(client, "head", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_forged_x_forwarded_for_does_not_reset_the_count(world, client):
    statuses = [
        _guess(client, username=f"x{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(LIMIT + 5)
    ]
    assert 429 in statuses


def test_a_client_signed_in_with_a_token_is_limited_too(world, client):
    from tests.factories import api_token

    mine = api_token(world.cadre)
    statuses = [
        _guess(client, username=f"y{n}", HTTP_AUTHORIZATION=f"Token {mine}").status_code
        for n in range(LIMIT + 5)
    ]
    assert 429 in statuses
