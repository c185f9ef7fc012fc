"""Issue 12: the dashboard's figures (cards, tables, chart data) are rendered once per content
(kl14.fragments, reviews.views.dashboard_key). What a board sees never lags behind: a new
submission, a counter rewritten in SQL, a renamed unit, another period, the other language; and
the export form around them keeps a token of its own on every page."""

import datetime
import json
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import Client

from kl14.fragments import ALIAS
from proposals import services as proposal_services
from proposals.models import Proposal, State
from tests.factories.proposals import ProposalFactory
from tests.ledger.tamper import sql
from tests.reviews.test_dashboard import figures  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

FRAGMENT = "reviews/_dashboard_figures.html"


@pytest.fixture
def board(figures):  # noqa: F811
    client = Client()
    client.force_login(figures.orgboard)
    return client


def page(client, **query) -> str:
    response = client.get("/dashboard/", query)
    assert response.status_code == 200
    return response.content.decode()


def figures_of(html: str) -> str:
    """The part of the page the fragment writes."""
    start = html.index('<div class="row g-3 mb-4" role="list">')
    end = html.index('id="dashboard-data"')
    return html[start : html.index("</script>", end)]


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def chart(html: str) -> dict:
    data = re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(data.group(1))


def rendered_templates(client, **query) -> list[str]:
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        page(client, **query)
    return [call.args[0].template.name for call in spy.call_args_list]


def test_kept_figures_render_as_fresh_ones(board):
    cold = page(board)
    assert figure(cold, "total") == "7"
    assert FRAGMENT not in rendered_templates(board)  # the second time: kept
    assert figures_of(page(board)) == figures_of(cold)
    caches[ALIAS].clear()
    assert FRAGMENT in rendered_templates(board)
    assert figures_of(page(board)) == figures_of(cold)


def test_the_export_form_gets_a_token_of_its_own_each_time(board):
    """The form with the CSRF token stays outside the kept fragment: each page has its own."""
    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(board)).group(1)
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]  # masked afresh for each response, never a kept one


def test_a_new_submission_shows_at_once(board, figures):  # noqa: F811
    before = page(board)
    assert figure(before, "total") == "7"
    proposal = ProposalFactory(home_unit=figures.agency, created_by=figures.cadre)
    proposal_services.proposal_submit(proposal=proposal, actor=figures.cadre)
    after = page(board)
    assert figure(after, "total") == "8"
    assert sum(chart(after)["states"]["values"]) == sum(chart(before)["states"]["values"]) + 1


def test_a_counter_rewritten_in_the_database_shows_as_it_now_is(board, figures):  # noqa: F811
    before = page(board)
    assert figure(before, "approval-rate") == "67%"
    sql(
        "UPDATE reviews_rollup SET n = n + 100 WHERE unit_id = %s AND key = %s",
        [figures.province.pk, "approved"],
    )
    after = page(board)
    assert figure(after, "approval-rate") != "67%"
    assert "102 được phê duyệt" in after


def test_a_renamed_unit_shows_with_its_new_name(board, figures):  # noqa: F811
    link = f'?unit={figures.agency.pk}">'
    assert f"{link}Sở</a>" in figures_of(page(board))
    sql("UPDATE units_unit SET name = %s WHERE id = %s", ["<b>Sở mới</b>", figures.agency.pk])
    shown = figures_of(page(board))
    assert f"{link}&lt;b&gt;Sở mới&lt;/b&gt;</a>" in shown  # escaped, as the template writes it
    assert f"{link}Sở</a>" not in shown


def test_each_period_keeps_its_own_figures_and_links(board, figures):  # noqa: F811
    everything = page(board)
    quarter = page(board, period="quarter", year="2026", quarter="1")
    assert figure(everything, "total") == "7"
    assert figure(quarter, "total") != "7"
    link = f"?unit={figures.agency.pk}&amp;"
    assert "period=quarter&amp;year=2026&amp;quarter=1" in figures_of(quarter).split(link, 1)[1]
    assert link not in figures_of(everything)  # no period: the child's link has none to keep
    assert figures_of(page(board)) == figures_of(everything)


def test_the_other_language(board):
    vietnamese = page(board)
    board.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the language switch sets
    english = page(board)
    assert "Proposals by unit and state" in figures_of(english)
    assert "Proposals by unit and state" not in figures_of(vietnamese)
    assert chart(english)["decisions"]["on_time_label"] == "On time"
    assert chart(vietnamese)["decisions"]["on_time_label"] != "On time"


def test_a_decision_passing_its_deadline_overnight_shows(board, figures):  # noqa: F811
    """The figures that depend on today (awaiting a decision past the deadline) are read anew:
    the key holds them. (Both days within a kept fragment's lifetime, so that its expiry cannot
    stand in for a missing part of the key.)"""
    waiting = Proposal.objects.get(home_unit=figures.office, state=State.SUBMITTED)
    noon = datetime.time(12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(datetime.datetime.combine(waiting.decision_due, noon)):
        assert figure(page(board), "overdue") == "0"  # due today: not late yet
    following = waiting.decision_due + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(following, noon)):
        assert figure(page(board), "overdue") == "1"
