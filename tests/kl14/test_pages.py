"""Pages every route shares: a POST-only address opened as a link, the site icon, one date and
money format."""

import datetime

import pytest
from django.utils import translation

from kl14 import formats
from tests.factories.proposals import ProposalFactory
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def test_a_post_only_address_opened_as_a_link_is_a_styled_page(client, tree):
    cadre = grant(tree["agency"], Role.CADRE)
    proposal = ProposalFactory(home_unit=tree["agency"], created_by=cadre)
    client.force_login(cadre)
    response = client.get(f"/proposals/{proposal.pk}/vote/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "Địa chỉ này không phải là một trang" in page
    assert 'href="/"' in page  # a way on, in the site's layout
    assert "Điều hướng chính" in page


def test_the_api_keeps_its_json_405(client, tree):
    client.force_login(grant(tree["agency"], Role.CADRE))
    response = client.get("/api/v1/auth/token/")
    assert response.status_code in (401, 405)
    assert response["Content-Type"].startswith("application/json")


def test_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")


def test_one_date_and_money_format():
    with translation.override("vi"):
        assert formats.day(datetime.date(2026, 3, 9)) == "09/03/2026"
        assert formats.money(1234567) == "1.234.567 đồng"
        assert formats.group_thousands("1234.50") == "1.234,5"
    with translation.override("en"):
        assert formats.money(1234567) == "1,234,567 VND"
        assert formats.day("2026-03-09") == "09/03/2026"
