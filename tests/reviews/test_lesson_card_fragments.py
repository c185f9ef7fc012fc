"""Issue 12: the lessons library's cards are rendered once per content (kl14.fragments). What a
reader sees never lags behind: a renamed unit, a lesson or a cause rewritten in SQL, the other
language; and a search shows the cards of its own results."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import Client

from kl14.fragments import ALIAS
from tests.ledger.tamper import sql
from tests.reviews.test_lessons import library  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

LESSONS = "/lessons/"
CARD = "reviews/_lesson_card.html"


def cards(client, query=None) -> str:
    page = client.get(LESSONS, {"q": query} if query else {}).content.decode()
    start = page.index('<article class="card')
    return page[start : page.rindex("</article>") + len("</article>")]


@pytest.fixture
def reader(org):
    client = Client()
    client.force_login(org.commune_cadre)  # any signed-in person reads the library
    return client


def test_kept_cards_render_as_fresh_ones(reader, library):  # noqa: F811
    cold = cards(reader)
    assert cold.count('<article class="card') == 4
    assert "Người cao tuổi cần được hướng dẫn." in cold
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        assert cards(reader) == cold  # from the kept fragments
    assert CARD not in [call.args[0].template.name for call in spy.call_args_list]
    caches[ALIAS].clear()
    assert cards(reader) == cold


def test_a_search_shows_the_cards_of_its_results(reader, library):  # noqa: F811
    cards(reader)  # every card kept
    found = cards(reader, "dia chinh")  # in the lessons text of one
    assert found.count('<article class="card') == 1 and "Số hóa hồ sơ đất đai" in found


def test_a_renamed_unit_shows_with_its_new_name(reader, library, org):  # noqa: F811
    assert cards(reader).count(f"· {org.agency.name} ·") == 4
    org.agency.name = "Sở Khoa học và Công nghệ"
    org.agency.save(update_fields=["name"])
    assert cards(reader).count("· Sở Khoa học và Công nghệ ·") == 4


def test_a_lesson_rewritten_in_the_database_shows_as_it_now_is(reader, library):  # noqa: F811
    proposal = library["health"]
    assert "Người cao tuổi cần được hướng dẫn." in cards(reader)
    sql(
        "UPDATE reviews_lesson SET lessons = %s WHERE proposal_id = %s",
        ["<i>Bài học bị sửa</i>", proposal.pk],
    )
    shown = cards(reader)
    assert "&lt;i&gt;Bài học bị sửa&lt;/i&gt;" in shown
    assert "Người cao tuổi cần được hướng dẫn." not in shown


REWRITE = {
    "objective": "UPDATE reviews_evaluation SET causes_objective = %s WHERE proposal_id = %s",
    "subjective": "UPDATE reviews_evaluation SET causes_subjective = %s WHERE proposal_id = %s",
}


@pytest.mark.parametrize("causes", sorted(REWRITE))
def test_a_cause_rewritten_in_the_database_shows_as_it_now_is(reader, library, causes):  # noqa: F811
    cards(reader)  # every card kept
    sql(REWRITE[causes], ["Nguyên nhân được viết lại", library["health"].pk])
    assert cards(reader).count("Nguyên nhân được viết lại") == 1


def test_the_other_language_gets_its_own_cards(reader, library):  # noqa: F811
    assert "Nguyên nhân" in cards(reader)
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    english = cards(reader)
    assert "Causes" in english and "Nguyên nhân:" not in english
