"""Two-factor sign-in (django-otp): the policy a root admin sets, the setup with recovery codes,
the check after signing in, and API tokens only with the second factor."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from kl14.errors import Forbidden
from tests.factories import UserFactory, grant
from units.models import Role

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"


def code_of(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> TOTPDevice:
    device = two_factor.pending_totp(user)
    codes = two_factor.totp_confirm(user=user, device=device, code=code_of(device))
    assert len(codes) == 10
    device.refresh_from_db()
    device.last_t = -1  # the next code may be the same 30-second step in a test
    device.save()
    return device


@pytest.fixture
def root_admin(tree):
    return grant(tree["province"], Role.ADMIN)


def test_only_a_root_admin_sets_the_policy(client, tree, root_admin):
    sub_admin = grant(tree["agency"], Role.ADMIN)
    with pytest.raises(Forbidden):
        two_factor.policy_set(actor=sub_admin, roles=[Role.HEAD])
    client.force_login(sub_admin)
    assert client.get(reverse("two_factor_policy")).status_code == 404
    client.force_login(root_admin)
    response = client.post(reverse("two_factor_policy"), {"roles": [Role.HEAD, Role.ADMIN]})
    assert response.status_code == 302
    assert two_factor.policy_roles() == (Role.HEAD, Role.ADMIN)


def test_a_required_role_is_sent_to_set_it_up_and_nothing_else_opens(client, tree, root_admin):
    two_factor.policy_set(actor=root_admin, roles=[Role.HEAD])
    head = grant(tree["agency"], Role.HEAD)
    cadre = grant(tree["agency"], Role.CADRE)
    client.login(username=cadre.username, password=PASSWORD)
    assert client.get("/").status_code == 200  # cadres are not required
    client.logout()
    client.login(username=head.username, password=PASSWORD)
    response = client.get("/proposals/inbox/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    api = client.get("/api/v1/me/")
    assert (api.status_code, api.json()["code"]) == (403, "second_factor_required")
    # Setting it up: the first code confirms it, recovery codes are shown once.
    page = client.get(reverse("two_factor_setup"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    response = client.post(
        reverse("two_factor_setup"), {"code": code_of(device), "next": "/proposals/inbox/"}
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="fs-5 recovery-code"') == 10
    assert client.get("/proposals/inbox/").status_code == 200


def test_signing_in_again_asks_for_the_code_or_a_recovery_code(client, tree, settings):
    # django-otp slows repeated failures down (1 s, 2 s, 4 s…): this test retries at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    user = grant(tree["agency"], Role.CADRE)
    device = two_factor.pending_totp(user)
    codes = two_factor.totp_confirm(user=user, device=device, code=code_of(device))
    client.login(username=user.username, password=PASSWORD)
    response = client.get("/")
    assert response["Location"].startswith(reverse("two_factor_verify"))
    bad = client.post(reverse("two_factor_verify"), {"code": "000000"})
    assert bad.status_code == 400
    assert "không đúng" in bad.content.decode()
    response = client.post(reverse("two_factor_verify"), {"code": codes[0], "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    # A recovery code works once.
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    assert client.post(reverse("two_factor_verify"), {"code": codes[0]}).status_code == 400


def test_api_tokens_only_after_the_second_factor(client, tree, root_admin):
    two_factor.policy_set(actor=root_admin, roles=[Role.HEAD])
    head = grant(tree["agency"], Role.HEAD)
    url = "/api/v1/auth/token/"
    response = client.post(url, {"username": head.username, "password": PASSWORD})
    assert (response.status_code, response.json()["code"]) == (403, "second_factor_required")
    device = enrolled(head)
    response = client.post(url, {"username": head.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "otp" in response.json()["errors"]
    response = client.post(
        url, {"username": head.username, "password": PASSWORD, "otp": code_of(device)}
    )
    assert response.status_code == 200
    assert response.json()["token"]
    # People who need no second factor get tokens as before.
    cadre = grant(tree["agency"], Role.CADRE)
    assert client.post(url, {"username": cadre.username, "password": PASSWORD}).status_code == 200


def test_anyone_may_turn_it_on_and_off_unless_required(client, tree, root_admin):
    user = grant(tree["agency"], Role.CADRE)
    device = enrolled(user)
    client.force_login(user)
    assert client.post(reverse("two_factor_disable"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    assert client.post(reverse("two_factor_disable")).status_code == 302
    assert not two_factor.user_has_device(user)
    two_factor.policy_set(actor=root_admin, roles=[Role.ADMIN])
    assert two_factor.is_required(root_admin)
    assert not two_factor.is_required(UserFactory())


def test_a_root_admin_resets_a_lost_phone(client, tree, root_admin):
    user = grant(tree["agency"], Role.HEAD)
    enrolled(user)
    client.force_login(root_admin)
    response = client.post(
        reverse("two_factor_policy"), {"action": "reset", "username": user.username}
    )
    assert response.status_code == 302
    assert not two_factor.user_has_device(user)


def test_wrong_codes_slow_down_the_next_attempts(client, tree):
    user = grant(tree["agency"], Role.CADRE)
    device = enrolled(user)
    client.login(username=user.username, password=PASSWORD)
    assert client.post(reverse("two_factor_verify"), {"code": "000000"}).status_code == 400
    # Even the right code waits for the delay after a failure.
    assert client.post(reverse("two_factor_verify"), {"code": code_of(device)}).status_code == 400


def test_the_admin_offers_no_page_that_shows_a_persons_secret_key(client, tree):
    """django-otp's device admins (a user's key as a QR code, untranslated) are not offered: a
    second factor is reset on the policy page."""
    user = grant(tree["agency"], Role.HEAD)
    device = enrolled(user)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "otp_totp" not in index.content.decode() and "otp_static" not in index.content.decode()
    for path in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
        "/admin/otp_static/staticdevice/",
    ):
        assert client.get(path).status_code == 404, path
