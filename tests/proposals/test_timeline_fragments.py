"""Issue 12: the proposal page's timeline entries are rendered once per content
(kl14/fragments.py). What a reader sees never lags behind: a renamed actor, an entry changed in
the database behind the ledger's back, the other language, are all shown as they are now."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import Client

from kl14.fragments import ALIAS
from ledger.models import LedgerEntry
from proposals import services
from tests.factories.proposals import fresh, under_review
from tests.ledger.tamper import sql

pytestmark = pytest.mark.django_db


def timeline(client, proposal, **headers) -> str:
    page = client.get(proposal.get_absolute_url(), **headers).content.decode()
    return page[page.index('<ol class="timeline">') : page.index("</ol>", page.index("timeline"))]


@pytest.fixture
def returned(org, draft):
    proposal = under_review(draft, org.cadre, org.head)
    return fresh(
        services.proposal_return_for_revision(
            proposal=proposal, actor=org.head, comment="Bổ sung dự toán kinh phí."
        )
    )


def test_kept_entries_render_as_fresh_ones(org, returned):
    client = Client()
    client.force_login(org.cadre)
    cold = timeline(client, returned)
    assert "Bổ sung dự toán kinh phí." in cold and "Trả lại để chỉnh sửa" in cold
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        assert timeline(client, returned) == cold  # from the kept fragments
    rendered = [call.args[0].template.name for call in spy.call_args_list]
    assert "proposals/detail.html" in rendered
    assert "proposals/_timeline_entry.html" not in rendered
    caches[ALIAS].clear()
    assert timeline(client, returned) == cold


def test_a_renamed_actor_shows_with_the_new_name(org, returned):
    client = Client()
    client.force_login(org.cadre)
    assert org.head.get_full_name() in timeline(client, returned)
    org.head.full_name = "Trần Văn Đổi Tên"
    org.head.save(update_fields=["full_name"])
    assert "Trần Văn Đổi Tên" in timeline(client, returned)


def test_an_entry_changed_in_the_database_shows_as_it_now_is(org, returned):
    """An attacker with SQL access rewrites the head's comment: the page shows the rewritten
    text (which the integrity check then flags), never the kept fragment of the genuine one."""
    client = Client()
    client.force_login(org.cadre)
    assert "Bổ sung dự toán kinh phí." in timeline(client, returned)
    entry = LedgerEntry.objects.get(proposal=returned, event="return_for_revision")
    sql(
        "UPDATE ledger_ledgerentry SET payload = %s WHERE id = %s",
        ['{"comment": "Nội dung bị sửa lén."}', entry.pk],
    )
    page = timeline(client, returned)
    assert "Nội dung bị sửa lén." in page and "Bổ sung dự toán kinh phí." not in page


def test_the_other_language_gets_its_own_fragments(org, returned):
    client = Client()
    client.force_login(org.cadre)
    assert "Trả lại để chỉnh sửa" in timeline(client, returned)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    english = timeline(client, returned)
    assert "Returned for revision" in english and "Trả lại để chỉnh sửa" not in english
