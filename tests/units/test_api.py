import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import UnitFactory, UserFactory, grant
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_gets_401_with_the_error_format(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors"}


def test_me_lists_memberships(api, tree):
    user = grant(tree["agency"], Role.HEAD)
    api.force_authenticate(user)
    body = api.get("/api/v1/me/").json()
    assert body["username"] == user.username
    assert body["memberships"] == [
        {
            "unit": {"id": tree["agency"].pk, "code": "P-A", "name": "Sở"},
            "role": "head",
            "title": "",
        }
    ]


def test_units_are_own_units_and_subtrees(api, tree):
    api.force_authenticate(grant(tree["agency"], Role.CADRE))
    body = api.get("/api/v1/units/").json()
    assert body["count"] == 2
    assert [(u["code"], u["parent"]) for u in body["results"]] == [
        ("P-A", tree["province"].pk),
        ("P-A-O", tree["agency"].pk),
    ]


def test_unit_outside_reach_is_404(api, tree):
    api.force_authenticate(grant(tree["agency"], Role.CADRE))
    assert api.get(f"/api/v1/units/{tree['office'].pk}/").status_code == 200
    response = api.get(f"/api/v1/units/{tree['commune'].pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("extra", [1, 15])
def test_unit_list_query_count_is_constant(api, tree, extra):
    user = grant(tree["province"], Role.ORGANIZATION_BOARD)
    for i in range(extra):
        UnitFactory(code=f"Z{i}", parent=tree["agency"])
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/units/?page_size=100").status_code == 200
    assert len(queries) == 3  # memberships, count, page


def test_token_sign_in_and_use(api):
    UserFactory(username="an")
    response = api.post("/api/v1/auth/token/", {"username": "an", "password": "secret-pass-123"})
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "an"


def test_token_bad_credentials_400(api):
    UserFactory(username="an")
    response = api.post("/api/v1/auth/token/", {"username": "an", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_token_sign_in_is_throttled(api, settings):
    """django-axes: the 10th failure (KL14_SIGN_IN_FAILURES) locks the account out."""
    UserFactory(username="an")
    statuses = [
        api.post("/api/v1/auth/token/", {"username": "an", "password": "nope"}).status_code
        for _ in range(12)
    ]
    assert statuses == [400] * 9 + [429] * 3


def test_schema_is_served(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/units/" in response.content
