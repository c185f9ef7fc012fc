"""Issue 12: the navigation bar is rendered once per content (kl14.fragments, the `navbar` tag of
kl14.templatetags.kl14). What a person sees never lags behind: the current page, a new badge, a
name rewritten in SQL, another person's roles, the other language; and "Sign out" still posts the
page's own form with a token of its own."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import Client

from kl14.fragments import ALIAS
from kl14.templatetags.kl14 import NAVBAR
from tests.factories.notifications import NotificationFactory
from tests.factories.proposals import ProposalFactory
from tests.factories.units import grant
from tests.ledger.tamper import sql
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(tree):
    return grant(tree["agency"], Role.CADRE, username="nav_cadre", full_name="Lê Thị Hoa")


@pytest.fixture
def head(tree):
    return grant(tree["agency"], Role.HEAD, username="nav_head", full_name="Trần Văn Nam")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bar(client, path="/proposals/") -> str:
    page = client.get(path).content.decode()
    start = page.index('<div class="collapse navbar-collapse" id="main-nav">')
    return page[start : page.index("</nav>", start)]


def rendered_templates(client, path="/proposals/") -> list[str]:
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        client.get(path)
    return [call.args[0].template.name for call in spy.call_args_list]


def current(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"\s*aria-current="page"', html)


def test_a_kept_bar_renders_as_a_fresh_one(cadre):
    client = signed_in(cadre)
    cold = bar(client)
    assert "Lê Thị Hoa" in cold
    assert NAVBAR not in rendered_templates(client)  # the second time: kept
    assert bar(client) == cold
    caches[ALIAS].clear()
    assert NAVBAR in rendered_templates(client)
    assert bar(client) == cold


def test_each_page_marks_its_own_link(cadre):
    client = signed_in(cadre)
    assert current(bar(client, "/proposals/")) == ["/proposals/"]
    assert current(bar(client, "/notifications/")) == ["/notifications/"]
    assert current(bar(client, "/proposals/")) == ["/proposals/"]


def test_pages_without_a_link_of_their_own_share_the_bar(cadre, tree):
    """Every proposal's page shows the same bar to one person (no link of the bar is current):
    it is rendered once, not once per proposal."""
    first, second = (ProposalFactory(home_unit=tree["agency"], created_by=cadre) for _ in range(2))
    client = signed_in(cadre)
    assert NAVBAR in rendered_templates(client, first.get_absolute_url())
    assert NAVBAR not in rendered_templates(client, second.get_absolute_url())
    assert bar(client, first.get_absolute_url()) == bar(client, second.get_absolute_url())
    assert current(bar(client, first.get_absolute_url())) == []


def test_a_new_notification_shows_in_its_badge(cadre):
    client = signed_in(cadre)
    assert "rounded-pill" not in bar(client)
    NotificationFactory(recipient=cadre)
    NotificationFactory(recipient=cadre)
    assert re.search(r'rounded-pill text-bg-warning">2<', bar(client))


def test_a_name_rewritten_in_the_database_shows_as_it_now_is(cadre):
    client = signed_in(cadre)
    assert "Lê Thị Hoa" in bar(client)
    sql("UPDATE accounts_user SET full_name = %s WHERE id = %s", ["<i>Hoa mới</i>", cadre.pk])
    shown = bar(client)
    assert "&lt;i&gt;Hoa mới&lt;/i&gt;" in shown
    assert "Lê Thị Hoa" not in shown


def test_each_person_gets_the_menu_of_their_roles(cadre, head):
    as_cadre, as_head = bar(signed_in(cadre)), bar(signed_in(head))
    assert as_cadre != as_head
    assert "/proposals/inbox/" in as_head and "/proposals/inbox/" not in as_cadre
    assert "Trần Văn Nam" in as_head and "Trần Văn Nam" not in as_cadre


def test_the_other_language(cadre):
    client = signed_in(cadre)
    vietnamese = bar(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    english = bar(client)
    assert "Sign out" in english and "Sign out" not in vietnamese
    assert "Đăng xuất" in vietnamese


def test_sign_out_posts_the_pages_own_form_with_a_fresh_token(cadre):
    client = signed_in(cadre)
    tokens = []
    for _ in range(2):
        page = client.get("/proposals/").content.decode()
        assert 'form="logout-form"' in bar(client)
        form = re.search(
            r'<form id="logout-form" method="post" action="([^"]+)" hidden>(.*?)</form>', page
        )
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2))[1])
    assert tokens[0] != tokens[1]  # masked afresh for each page, never a kept one
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(cadre)
    page = checked.get("/proposals/").content.decode()
    token = re.search(r'id="logout-form"[^>]*>.*?name="csrfmiddlewaretoken" value="([^"]+)"', page)
    response = checked.post(form.group(1), {"csrfmiddlewaretoken": token[1]})
    assert response.status_code == 302
    assert checked.get("/proposals/").status_code == 302  # signed out: to the sign-in page
