"""API tokens like a bank's (issue 13): they expire, one per client, revoked on sign-out and on a
password change, listed and revocable on the profile; `POST /api/v1/auth/token/` still answers
`{"token"}` (plus its expiry) and `Authorization: Token <token>` still works (api.md)."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, PasswordResetRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
TOKEN = "/api/v1/auth/token/"


def sign_in(http, user, client=None):
    body = {"username": user.username, "password": PASSWORD}
    if client:
        body["client"] = client
    return http.post(TOKEN, body, content_type="application/json")


def change_password(user):
    """The user changes their password on the page."""
    page = Client()
    page.force_login(user)
    response = page.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "b-New-pass-7890",
            "new_password2": "b-New-pass-7890",
        },
    )
    assert response.status_code == 302


def me(client, token):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_the_token_answer_and_its_use(client):
    user = UserFactory()
    response = sign_in(client, user)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry", "client"} and body["client"] == "api"
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert timezone.now() + ttl - datetime.timedelta(minutes=1) < expiry <= timezone.now() + ttl
    assert me(Client(), body["token"]) == 200
    stored = ApiToken.objects.get(user=user)
    assert body["token"] not in (stored.digest, stored.token_key)  # only a hash is kept


def test_a_token_expires(client):
    user = UserFactory()
    token = sign_in(client, user).json()["token"]
    later = timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        assert me(Client(), token) == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_one_token_per_client(client):
    user = UserFactory()
    first = sign_in(client, user).json()["token"]
    second = sign_in(client, user).json()["token"]
    mobile = sign_in(client, user, client="mobile").json()["token"]
    assert (me(Client(), first), me(Client(), second), me(Client(), mobile)) == (401, 200, 200)
    assert sorted(ApiToken.objects.filter(user=user).values_list("client", flat=True)) == [
        "api",
        "mobile",
    ]


def test_sign_out_revokes_only_that_token(client):
    user = UserFactory()
    api = sign_in(client, user).json()["token"]
    mobile = sign_in(client, user, client="mobile").json()["token"]
    response = client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {api}")
    assert response.status_code == 204
    assert (me(Client(), api), me(Client(), mobile)) == (401, 200)


def test_a_password_change_revokes_every_token(client):
    user = UserFactory()
    tokens = [sign_in(client, user, client=c).json()["token"] for c in ("api", "mobile")]
    change_password(user)
    assert [me(Client(), t) for t in tokens] == [401, 401]


def test_a_sign_in_whose_password_changed_meanwhile_gets_no_token(client):
    """The race probe's case: the old password was checked a moment before the change committed,
    the token was issued after the change had revoked every token, and it kept working."""
    from accounts import two_factor

    user = UserFactory()
    checked = two_factor.token_second_factor_check

    def then_the_password_changes(*args, **kwargs):
        change_password(user)
        return checked(*args, **kwargs)

    with mock.patch.object(two_factor, "token_second_factor_check", then_the_password_changes):
        response = sign_in(client, user)
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        "Tên đăng nhập hoặc mật khẩu không đúng."
    ]
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_token_that_is_not_text_is_401():
    client = Client()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token \xff\xfe").status_code == 401


def test_the_profile_lists_and_revokes_tokens(client):
    user, other = UserFactory(), UserFactory()
    mine = sign_in(client, user, client="sync-script").json()["token"]
    theirs = sign_in(client, other).json()["token"]
    page = Client()
    page.force_login(user)
    html = page.get(reverse("tokens")).content.decode()
    assert "sync-script" in html and mine[:8] in html and theirs[:8] not in html
    # Someone else's token cannot be revoked from here.
    other_key = ApiToken.objects.get(user=other).token_key
    page.post(reverse("token_revoke", args=[other_key]))
    assert me(Client(), theirs) == 200
    key = ApiToken.objects.get(user=user).token_key
    response = page.post(reverse("token_revoke", args=[key]), follow=True)
    assert "Đã thu hồi khóa" in response.content.decode()
    assert me(Client(), mine) == 401
    assert "Bạn chưa có khóa API nào" in page.get(reverse("tokens")).content.decode()


def test_the_tokens_page_needs_a_signed_in_user(client):
    assert client.get(reverse("tokens")).status_code == 302


class TestPasswordResetLimits:
    def reset(self, client, email, address="192.0.2.1"):
        return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)

    def test_per_account(self, client):
        UserFactory(email="an@example.vn")
        limit = settings.KL14_PASSWORD_RESET_PER_ACCOUNT
        statuses = [
            self.reset(client, "an@example.vn", f"192.0.2.{n}").status_code
            for n in range(limit + 3)
        ]
        assert statuses == [302] * limit + [429] * 3
        assert len(mail.outbox) <= limit
        assert PasswordResetRequest.objects.count() == limit

    def test_per_address(self, client):
        limit = settings.KL14_PASSWORD_RESET_PER_ADDRESS
        statuses = [self.reset(client, f"x{n}@example.vn").status_code for n in range(limit + 2)]
        assert statuses == [302] * limit + [429] * 2
        response = self.reset(client, "someone@example.vn")
        assert "Quá nhiều yêu cầu đặt lại mật khẩu" in response.content.decode()
        assert self.reset(client, "someone@example.vn", "192.0.2.99").status_code == 302

    def test_the_limit_is_per_hour(self, client):
        limit = settings.KL14_PASSWORD_RESET_PER_ACCOUNT
        for _ in range(limit):
            self.reset(client, "an@example.vn")
        assert self.reset(client, "an@example.vn", "192.0.2.50").status_code == 429
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
            assert self.reset(client, "an@example.vn", "192.0.2.51").status_code == 302
