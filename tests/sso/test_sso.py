"""Single sign-on against a real OpenID Connect provider (django-oauth-toolkit in a subprocess):
the code flow with PKCE, ID tokens checked, accounts matched and never created, passwords that
can be switched off."""

import pytest
from django.contrib.auth import get_user

from accounts.models import User
from tests.factories import UserFactory, grant
from units.models import Membership, Role

from .conftest import PEOPLE, idp_round_trip, start_provider, stop_provider

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def an(tree):
    """A cadre whose KL14 e-mail is the one the provider knows."""
    return grant(tree["agency"], Role.CADRE, username="an.kl14", email=PEOPLE[0]["email"])


def test_a_matched_person_signs_in_and_is_linked_by_subject(client, oidc_provider, an):
    response = idp_round_trip(client, "an.nv")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert get_user(client).pk == an.pk
    an.refresh_from_db()
    assert an.sso_subject  # the provider's `sub`
    # Later sign-ins match the subject even if the e-mail changed meanwhile.
    User.objects.filter(pk=an.pk).update(email="an.moi@gialai.gov.vn")
    client.logout()
    idp_round_trip(client, "an.nv")
    assert get_user(client).pk == an.pk


def test_next_is_kept_through_the_provider(client, oidc_provider, an):
    response = idp_round_trip(client, "an.nv", next_url="/notifications/")
    assert response["Location"] == "/notifications/"


def test_nobody_is_created_from_the_provider(client, oidc_provider, an):
    users, memberships = User.objects.count(), Membership.objects.count()
    response = idp_round_trip(client, "la.mat")
    assert response["Location"] == "/accounts/login/"
    assert not get_user(client).is_authenticated
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    page = client.get("/accounts/login/").content.decode()
    assert "Không có tài khoản KL14 nào khớp" in page


def test_matching_by_staff_code(client, oidc_provider, tree, settings):
    settings.KL14_OIDC_MATCH = "staff_code"
    settings.KL14_OIDC_MATCH_CLAIM = "staff_code"
    binh = grant(tree["office"], Role.HEAD, email="khac@example.vn")
    User.objects.filter(pk=binh.pk).update(staff_code="GL-0002")
    idp_round_trip(client, "binh.tt")
    assert get_user(client).pk == binh.pk


def test_an_account_linked_to_another_identity_is_never_handed_over(client, oidc_provider, an):
    User.objects.filter(pk=an.pk).update(sso_subject="someone-else")
    idp_round_trip(client, "an.nv")
    assert not get_user(client).is_authenticated
    assert "liên kết với một danh tính" in client.get("/accounts/login/").content.decode()


def test_an_inactive_account_does_not_sign_in(client, oidc_provider, an):
    User.objects.filter(pk=an.pk).update(is_active=False)
    idp_round_trip(client, "an.nv")
    assert not get_user(client).is_authenticated


def test_a_provider_that_claims_another_issuer_is_refused(client, an, settings, tmp_path):
    impostor = start_provider(
        tmp_path,
        "http://testserver/accounts/sso/callback/",
        "--claimed-issuer",
        "https://sso.khac.vn",
    )
    try:
        settings.KL14_OIDC_ISSUER = impostor.issuer
        response = client.get("/accounts/sso/login/")
    finally:
        stop_provider(impostor)
    assert response["Location"] == "/accounts/login/"
    assert "không phản hồi" in client.get("/accounts/login/").content.decode()


def test_a_forged_callback_signs_nobody_in(client, oidc_provider, an):
    client.get("/accounts/sso/login/")
    response = client.get("/accounts/sso/callback/?code=forged&state=forged")
    assert response["Location"] == "/accounts/login/"
    assert not get_user(client).is_authenticated


def test_local_passwords_can_be_switched_off_for_sso_users(client, oidc_provider, an, settings):
    root = UserFactory(is_superuser=True, username="root")
    User.objects.filter(pk=root.pk).update(sso_subject="root-sub")
    assert client.login(username=an.username, password="secret-pass-123")
    client.logout()
    idp_round_trip(client, "an.nv")  # links the account
    client.logout()
    settings.KL14_OIDC_LOCAL_PASSWORDS = False
    assert not client.login(username=an.username, password="secret-pass-123")
    response = client.post(
        "/api/v1/auth/token/", {"username": an.username, "password": "secret-pass-123"}
    )
    assert response.status_code == 400
    # A superuser keeps their password: the way in when the provider is down.
    assert client.login(username="root", password="secret-pass-123")
    # People who never used SSO keep theirs.
    other = grant(an.memberships.first().unit, Role.CADRE)
    client.logout()
    assert client.login(username=other.username, password="secret-pass-123")


def test_without_an_issuer_there_is_no_sso(client, settings):
    settings.KL14_OIDC_ISSUER = ""
    assert client.get("/accounts/sso/login/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=a&state=b").status_code == 404
    assert "Đăng nhập một lần (SSO)" not in client.get("/accounts/login/").content.decode()


def test_a_role_that_requires_a_second_factor_gives_it_after_the_provider(
    client, oidc_provider, tree, settings
):
    """Issue 14, done means: staff sign in through the provider with a second factor where
    required. The provider's sign-in is the first factor only: a head (required by the policy)
    is sent to set up the app, and at the next sign-in to enter its code, before any page."""
    from django.urls import reverse
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import two_factor

    def code_of(device):
        device.refresh_from_db()
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    two_factor.policy_set(actor=grant(tree["province"], Role.ADMIN), roles=[Role.HEAD])
    head = grant(tree["agency"], Role.HEAD, email=PEOPLE[0]["email"])

    idp_round_trip(client, "an.nv")
    assert get_user(client).pk == head.pk
    response = client.get("/proposals/inbox/")
    assert response["Location"].startswith(reverse("two_factor_setup"))
    api = client.get("/api/v1/me/")
    assert (api.status_code, api.json()["code"]) == (403, "second_factor_required")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    client.post(reverse("two_factor_setup"), {"code": code_of(device), "next": "/"})
    assert client.get("/proposals/inbox/").status_code == 200

    client.logout()
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same 30 s step again
    idp_round_trip(client, "an.nv")
    response = client.get("/")
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(reverse("two_factor_verify"), {"code": code_of(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/proposals/inbox/").status_code == 200
