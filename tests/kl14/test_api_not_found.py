"""A URL under /api/ that matches no route answers 404 in the API's error format, not the HTML
page (schemathesis: `/documents/-1/pdf/` answered text/html where the schema says JSON)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/proposals/-1/", "/api/v1/proposals/1/documents/x/pdf/", "/api/v1/nothing/"]
)
def test_an_unknown_api_url_answers_json(client, django_user_model, path):
    client.force_login(django_user_model.objects.create_user("someone", password="x-123456789"))
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "not_found" and body["errors"] == {} and body["detail"]


def test_pages_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
