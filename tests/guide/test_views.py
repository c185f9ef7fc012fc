"""The help pages: an index, a page per role, and a "User guide" link on every page that opens
the section about that page for the user's role."""

import re

import pytest
from django.urls import reverse

from guide.content import BY_SLUG
from tests.factories import grant
from units.models import Role

pytestmark = pytest.mark.django_db

HELP_LINK = re.compile(r'<a class="nav-link[^"]*" href="([^"]+)">Hướng dẫn</a>')


def help_link(response) -> str:
    found = HELP_LINK.findall(response.content.decode())
    assert len(found) == 1, found
    return found[0]


def test_the_index_lists_the_guides_and_marks_the_readers_role(client, tree):
    client.force_login(grant(tree["agency"], Role.HEAD))
    page = client.get(reverse("guide:index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<h1 class="h3">Hướng dẫn sử dụng</h1>' in text
    assert reverse("guide:role", args=["cadre"]) in text
    assert reverse("guide:role", args=["head"]) in text
    assert text.count("vai trò của bạn") == 1


@pytest.mark.parametrize("slug", list(BY_SLUG))
def test_a_role_page_has_its_sections_in_vietnamese(client, tree, slug):
    client.force_login(grant(tree["agency"], Role.CADRE))
    page = client.get(reverse("guide:role", args=[slug]))
    assert page.status_code == 200
    text = page.content.decode()
    for section in BY_SLUG[slug].sections:
        assert f'<section id="{section.key}"' in text
        assert str(section.title) in text
    assert "Hướng dẫn sử dụng" in text


def test_the_cadre_guide_reads_in_vietnamese_and_links_to_the_pages(client, tree):
    client.force_login(grant(tree["agency"], Role.CADRE))
    text = client.get(reverse("guide:role", args=["cadre"])).content.decode()
    assert "Viết và trình đề xuất" in text
    assert "“Lưu và trình”" in text
    assert f'href="{reverse("proposals:create")}"' in text
    # The journeys' screenshot of the step, with its size and a text alternative.
    assert '<img src="/static/guide/cadre/new-proposal.webp" width="1280" height="900"' in text
    assert 'alt="Biểu mẫu đề xuất mới: các nội dung của đề án và các tiêu chí."' in text
    assert "Writing and submitting" not in text


def test_english_through_the_language_switch(client, tree):
    user = grant(tree["agency"], Role.CADRE)
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/help/"})
    text = client.get(reverse("guide:role", args=["cadre"])).content.decode()
    assert "Writing and submitting a proposal" in text
    assert "Viết và trình đề xuất" not in text


def test_an_unknown_guide_is_404(client, tree):
    client.force_login(grant(tree["agency"], Role.CADRE))
    assert client.get("/help/nobody/").status_code == 404


def test_the_anonymous_are_sent_to_sign_in(client):
    response = client.get(reverse("guide:role", args=["cadre"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        (Role.CADRE, "proposals:mine", "/help/cadre/#my-proposals"),
        (Role.CADRE, "proposals:create", "/help/cadre/#write"),
        (Role.HEAD, "proposals:inbox", "/help/head/#inbox"),
        (Role.CADRE, "notifications:list", "/help/general/#notifications"),
        (Role.HEAD, "home", "/help/general/#sign-in"),
        (Role.DEPUTY, "proposals:votes", "/help/deputy/#votes"),
        (Role.PARTY_COMMITTEE, "proposals:opinions", "/help/party-committee/#opinions"),
        (Role.INSPECTOR, "pilots:monitored", "/help/inspector/#monitored"),
        (Role.ORGANIZATION_BOARD, "reviews:dashboard", "/help/organization-board/#dashboard"),
        (Role.ADMIN, "onboarding:index", "/help/admin/#import"),
        (Role.STANDING_COMMITTEE, "reviews:lessons", "/help/general/#lessons"),
    ],
)
def test_the_navbar_link_opens_the_section_of_the_page(client, tree, role, page, expected):
    client.force_login(grant(tree["agency"], role))
    assert help_link(client.get(reverse(page))) == expected


def test_a_page_the_guide_does_not_cover_links_to_the_role_guide(client, tree):
    client.force_login(grant(tree["agency"], Role.HEAD))
    assert help_link(client.get(reverse("guide:index"))) == "/help/head/"


def test_a_person_with_two_roles_reads_the_deciding_one_first(client, tree):
    user = grant(tree["agency"], Role.CADRE)
    grant(tree["agency"], Role.HEAD, user=user)
    client.force_login(user)
    assert help_link(client.get(reverse("proposals:mine"))) == "/help/cadre/#my-proposals"
    assert help_link(client.get(reverse("proposals:inbox"))) == "/help/head/#inbox"


def test_the_help_link_costs_no_query(client, tree):
    """The link is worked out from the roles the navigation already loaded."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(grant(tree["agency"], Role.CADRE))
    client.get(reverse("proposals:mine"))
    with CaptureQueriesContext(connection) as with_link:
        client.get(reverse("proposals:mine"))
    with (
        mock.patch("guide.context_processors.help_url", return_value="/help/"),
        CaptureQueriesContext(connection) as without,
    ):
        client.get(reverse("proposals:mine"))
    assert len(with_link) == len(without)


OPEN_LINK = re.compile(r'<a href="([^"]+)">Mở trang: ')


@pytest.mark.parametrize("role", [*Role.values, "superuser"])
def test_every_page_a_guide_offers_opens_for_its_reader(client, tree, role):
    """Any reader may read every guide, but "Open the page" is offered only where it opens: a
    cadre reading the organization board's guide got a link to the dashboard that answered 403
    (found by crawling make run as the demo users)."""
    if role == "superuser":
        from tests.factories import UserFactory

        reader = UserFactory(is_superuser=True, is_staff=True)
    else:
        reader = grant(tree["agency"], role)
    client.force_login(reader)
    offered = set()
    for slug in BY_SLUG:
        offered |= set(OPEN_LINK.findall(client.get(reverse("guide:role", args=[slug])).text))
    assert offered  # every reader is offered some pages
    for url in sorted(offered):  # the sign-in page sends a signed-in reader home (302)
        assert client.get(url).status_code in (200, 302), url


def test_a_cadre_reads_the_boards_guide_without_its_links(client, tree):
    client.force_login(grant(tree["agency"], Role.CADRE))
    text = client.get(reverse("guide:role", args=["organization-board"])).text
    assert "Bảng tổng hợp và báo cáo định kỳ" in text or "dashboard" in text
    assert f'href="{reverse("reviews:dashboard")}"' not in text
    # The board's own reading of it links the page.
    client.force_login(grant(tree["agency"], Role.ORGANIZATION_BOARD))
    text = client.get(reverse("guide:role", args=["organization-board"])).text
    assert f'href="{reverse("reviews:dashboard")}"' in text
