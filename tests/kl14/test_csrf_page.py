"""A form refused by the CSRF check (kl14.errors.csrf_failure): KL14's page in Vietnamese, not
Django's English technical one; nothing saved; a form of this site's own pages is kept to be
sent again, one from another site never (found by opening the new-proposal page, signing in again
in another tab, then saving the first page's form: Django's "CSRF verification failed", in
English, and the text was gone)."""

import re

import pytest
from django.test import Client

from proposals.models import Field, Proposal
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db

STALE = "ab" * 32  # a well-formed token that does not match the cookie
COOKIE = "c" * 32  # the secret
WHY = "Biểu mẫu chưa được gửi và chưa có gì được lưu"


@pytest.fixture
def client(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grant(tree["agency"], Role.CADRE, username="canbo"))
    client.cookies["csrftoken"] = COOKIE
    client.unit = tree["agency"]
    return client


def post(client, **headers):
    data = {
        "csrfmiddlewaretoken": STALE,
        "home_unit": client.unit.pk,
        "title": "Số hóa <hồ sơ> một cửa",
        "field": Field.OTHER,
        "action": "save",
    }
    return client.post("/proposals/new/", data, **headers)


def test_a_stale_form_of_this_site_is_kept_to_be_sent_again(client, tree):
    response = post(client, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 403
    body = response.content.decode()
    assert WHY in body and "CSRF verification failed" not in body
    assert '<html lang="vi">' in body
    assert Proposal.objects.count() == 0
    # What was typed, escaped, in a form to the same address with a fresh token.
    assert 'value="Số hóa &lt;hồ sơ&gt; một cửa"' in body
    assert 'action="/proposals/new/"' in body and "Gửi lại" in body
    kept = body.split('<form method="post" action="/proposals/new/"')[1].split("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', kept).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', kept))
    assert fields.pop("csrfmiddlewaretoken") == token and token != STALE
    fields = {
        name: value.replace("&lt;", "<").replace("&gt;", ">") for name, value in fields.items()
    }
    again = client.post("/proposals/new/", {**fields, "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    assert list(Proposal.objects.values_list("title", flat=True)) == ["Số hóa <hồ sơ> một cửa"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_REFERER": "https://evil.example/page/"},
        {},  # a browser that names neither
    ],
)
def test_a_form_from_elsewhere_is_refused_and_not_offered_again(client, headers):
    response = post(client, **headers)
    assert response.status_code == 403
    body = response.content.decode()
    assert WHY in body
    assert "Gửi lại" not in body and "Số hóa" not in body
    assert Proposal.objects.count() == 0


def test_a_sign_in_form_is_never_kept(tree):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = COOKIE
    response = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": STALE, "username": "canbo", "password": "secret-pass-123"},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert WHY in body and "secret-pass-123" not in body and "Gửi lại" not in body


def test_the_apis_refusal_is_in_the_users_language(client):
    """A session-authenticated API write without its token: DRF's own check (accounts.auth), in
    the user's language with a code of its own (was "CSRF Failed: CSRF cookie not set.")."""
    del client.cookies["csrftoken"]
    response = client.post(
        "/api/v1/proposals/",
        {"title": "Số hóa", "home_unit": client.unit.pk},
        content_type="application/json",
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert response.json()["detail"].startswith("Mã bảo mật (CSRF) của phiên làm việc")
    assert Proposal.objects.count() == 0
