"""Anonymous access, for every route of the URL configuration (read from the resolver, so a new
route is covered, or this test names it): an HTML page redirects to sign-in, an API endpoint
answers 401, except the few that are public on purpose."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Public on purpose: signing in and out (single sign-on included: it answers 404 until an issuer
# is configured), the password reset (by e-mail), the language switch, the health check (for the
# load balancer), the site's icon, and in the API the token exchange and the schema with its
# browsable docs (api.md).
PUBLIC = {
    "login",
    "logout",
    "sso_login",
    "sso_callback",
    "metrics",  # no session counts there: a token or an allowed address, else 404 (tests/ops)
    "set_language",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "favicon",
    "readyz",
    "api:token",
    "api:schema",
    "api:docs",
}
ARGUMENTS = {"pk": "1", "aid": "1", "number": "1", "other": "1", "attachment_pk": "1"}
ARGUMENTS |= {"milestone_pk": "1", "adjustment_pk": "1", "document_pk": "1", "name": "approve"}
ARGUMENTS |= {
    "uidb64": "MQ",
    "token": "set-password",
    "token_key": "abc",
    "slug": "cadre",
    "author": "1",
}


def _routes(patterns=None, prefix="", namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or "?"), prefix + str(pattern.pattern)


def _path(template):
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ARGUMENTS[m.group(1)], template)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


ROUTES = [(name, _path(t)) for name, t in _routes() if not t.startswith("admin/")]
API = [(n, p) for n, p in ROUTES if p.startswith("/api/") and n not in PUBLIC]
HTML = [(n, p) for n, p in ROUTES if not p.startswith("/api/") and n not in PUBLIC]


def test_the_route_list_is_complete():
    """Every route of the app is in one of the tables below (nothing slips through)."""
    names = {n for n, _ in ROUTES}
    assert len(ROUTES) > 90
    assert names >= PUBLIC
    assert {"proposals:detail", "pilots:attachment", "reviews:dossier", "api:pilot-plan"} <= names


@pytest.mark.parametrize("method", ("get", "post"))
@pytest.mark.parametrize(("name", "path"), HTML, ids=[n for n, _ in HTML])
def test_an_html_page_sends_the_anonymous_to_sign_in(client, name, path, method):
    response = getattr(client, method)(path)
    if response.status_code == 405:  # a POST-only or GET-only view; its other verb is refused
        return
    assert response.status_code == 302, (name, response.status_code)
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("method", ("get", "post", "put", "patch", "delete"))
@pytest.mark.parametrize(("name", "path"), API, ids=[n for n, _ in API])
def test_an_api_endpoint_answers_401_to_the_anonymous(client, name, path, method):
    response = client.generic(method.upper(), path, "{}", content_type="application/json")
    assert response.status_code == 401, (name, response.status_code)
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/schema/", 200),
        ("/api/v1/docs/", 200),
        ("/accounts/login/", 200),
        ("/accounts/password/reset/", 200),
        ("/favicon.ico", 301),
    ],
)
def test_the_public_routes_are_public(client, path, status):
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    "path", ("/admin/", "/admin/units/unit/", "/admin/accounts/user/1/change/")
)
def test_the_admin_sends_the_anonymous_to_its_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_bad_api_token_is_401(client):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401
