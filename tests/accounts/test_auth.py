import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory, grant
from units.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def test_sign_in_page_is_vietnamese_by_default_even_for_english_browsers(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_lands_on_home_with_roles(client, tree):
    user = grant(tree["agency"], Role.HEAD)
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "Người đứng đầu" in html
    assert tree["agency"].name in html


def test_wrong_password_says_so_and_changes_nothing(client):
    user = UserFactory()
    before = User.objects.values_list("password", "last_login").get(pk=user.pk)
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.values_list("password", "last_login").get(pk=user.pk) == before


def test_sign_out_needs_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_switch_sets_cookie_and_user_preference(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(response.url)
    assert '<html lang="en">' in response.content.decode()
    assert "Your units and roles" in response.content.decode()
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switch_refuses_unknown_language_and_foreign_redirects(client):
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_sign_in_restores_the_users_language(client):
    user = UserFactory(language="en")
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert '<html lang="en">' in response.content.decode()


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-New-pass-4567",
            "new_password2": "a-New-pass-4567",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-New-pass-4567")


def test_password_change_with_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "a-New-pass-4567",
            "new_password2": "a-New-pass-4567",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("length", [129, 100_000])
def test_a_password_longer_than_128_characters_is_refused_in_vietnamese(client, length):
    user = UserFactory()
    client.force_login(user)
    password = ("Ab1-" * length)[:length]
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert "Mật khẩu quá dài: tối đa 128 ký tự." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_password_of_128_characters_is_accepted(client):
    user = UserFactory()
    client.force_login(user)
    password = ("Ab1-" * 32)[:128]
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_reset_sends_an_email_with_a_working_link(client):
    user = UserFactory(email="an@example.vn")
    client.post(reverse("password_reset"), {"email": "an@example.vn"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link[link.index("/accounts/") :].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "b-New-pass-7890", "new_password2": "b-New-pass-7890"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("b-New-pass-7890")


def test_unknown_url_gets_a_styled_404_in_the_users_language(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert "bootstrap.min.css" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert "Page not found" in response.content.decode()


def test_failed_sign_in_attempts_are_limited(client):
    user = UserFactory()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Quá nhiều lần đăng nhập không thành công" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
