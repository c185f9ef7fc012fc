"""What the API shows besides its JSON: DRF's browsable API (HTML, served when a browser asks for
it) renders a form for each write, with a <select> of every object of a related field's
queryset. It must neither fail nor list people and units the user has no business with."""

import pytest

from .test_isolation import READABLE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", [r for r in READABLE if r.api], ids=str)
def test_every_endpoint_renders_for_a_browser(world, as_user, route):
    client = as_user(getattr(world, route.reader))
    response = client.get(route.path(world), HTTP_ACCEPT="text/html")
    assert response.status_code == route.reader_status


def test_the_browsable_proposal_list_lists_nobody_from_elsewhere(world, as_user):
    response = as_user(world.commune_cadre).get("/api/v1/proposals/", HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 406)
    body = response.content.decode()
    for stranger in ("agency_admin", "province_head", "orgboard", "office_head"):
        assert f">{stranger}<" not in body and getattr(world, stranger).full_name not in body
    assert "P-A-O" not in body


# --- nothing is loaded from another site --------------------------------------------------------
# README: "nothing is loaded from a CDN". A script from another origin runs with the page's
# origin: whoever controls it reads the session's pages and the CSRF token.

PAGES = [
    ("cadre", "/"),
    (None, "/accounts/login/"),
    ("head", "/proposals/{review}/"),
    ("head", "/pilots/{pilot}/"),
    ("orgboard", "/dashboard/"),
    (None, "/api/v1/docs/"),
]


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_pages_load_their_scripts_and_styles_from_the_app(world, as_user, who, path):
    import re

    path = path.format(review=world.review.pk, pilot=world.pilot.pk)
    response = as_user(getattr(world, who) if who else None).get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    body = response.content.decode()
    external = re.findall(
        r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="((?:https?:)?//[^"]+)"', body
    )
    assert external == []
