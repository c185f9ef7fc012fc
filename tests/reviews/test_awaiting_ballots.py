"""Issue 11, points 4 and 5: the evaluation is voted by the leadership collective (Decree 73,
Art. 18), so a head or deputy who owes a ballot on the results finds it where they find the
decisions awaiting their vote — the "Awaiting my vote" page, its badge and the API's
`awaiting_me` — not only in a notification. Authors do not vote; other units see nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from proposals.models import ProposalAuthor
from proposals.services import vote_cast
from proposals.views.lists import vote_rows
from reviews.evaluation import evaluation_ballot_cast
from reviews.models import Outcome
from tests.factories.proposals import ProposalFactory, fresh, under_review
from tests.factories.reviews import evaluating
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db

VOTES = reverse("proposals:votes")


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(VOTES)
    assert response.status_code == 200
    return response.content.decode()


def awaiting_me(user) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    body = client.get("/api/v1/proposals/", {"awaiting_me": "true"}).json()
    return sorted(p["code"] for p in body["results"])


@pytest.fixture
def results(org, proposal):
    """The agency's proposal whose final report is filed: the collective votes on the outcome."""
    return evaluating(proposal, party=org.party)


def test_the_deputy_finds_the_evaluation_awaiting_their_ballot(client, org, results):
    page = page_of(client, org.deputy)
    assert results.title in page
    assert "Đánh giá kết quả" in page  # what the vote is on
    assert f'href="/reviews/{results.pk}/#evaluation-vote"' in page  # where the ballot is cast
    assert "Chưa biểu quyết" in page
    assert vote_rows(org.deputy).count() == 1
    assert awaiting_me(org.deputy) == [results.code]

    evaluation_ballot_cast(proposal=fresh(results), actor=org.deputy, choice=Outcome.PARTIAL)
    page = page_of(client, org.deputy)
    assert results.title in page  # the ballot can still be changed until the evaluation
    assert "Đạt một phần" in page and "Chưa biểu quyết" not in page
    assert vote_rows(org.deputy).count() == 0
    assert awaiting_me(org.deputy) == []


def test_the_head_owes_a_ballot_too(client, org, results):
    assert results.title in page_of(client, org.head)
    assert vote_rows(org.head).count() == 1
    assert results.code in awaiting_me(org.head)
    evaluation_ballot_cast(proposal=fresh(results), actor=org.head, choice=Outcome.ACHIEVED)
    assert vote_rows(org.head).count() == 0


def test_a_decision_and_an_evaluation_are_listed_side_by_side(client, org, results):
    decision = under_review(
        ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre, org.head
    )
    page = page_of(client, org.deputy)
    assert decision.title in page and results.title in page
    assert "Quyết định phê duyệt đề xuất" in page
    assert f'href="/proposals/{decision.pk}/#votes"' in page
    assert vote_rows(org.deputy).count() == 2
    assert awaiting_me(org.deputy) == sorted([decision.code, results.code])


def test_an_author_does_not_vote_on_their_own_results(client, org, proposal):
    ProposalAuthor.objects.create(proposal=proposal, user=org.deputy)
    results = evaluating(proposal, party=org.party)
    assert results.title not in page_of(client, org.deputy)
    assert vote_rows(org.deputy).count() == 0
    assert awaiting_me(org.deputy) == []


def test_other_units_see_nothing(client, org, results):
    commune_deputy = grant(org.commune, Role.DEPUTY, username="commune_deputy")
    for user in (commune_deputy, org.commune_head, org.province_head, org.cadre, org.party):
        assert results.title not in page_of(client, user), user.username
        assert vote_rows(user).count() == 0, user.username
    assert awaiting_me(commune_deputy) == [] and awaiting_me(org.commune_head) == []


def test_the_navigation_badge_counts_the_evaluation(client, org, results):
    client.force_login(org.deputy)
    nav = {item["key"]: item for item in client.get("/").context["nav_items"]}
    assert nav["proposals_votes"]["badge"] == 1


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add(org, n):
    """n proposals awaiting a ballot on their results and n awaiting a decision, some voted."""
    for i in range(n):
        author = org.cadre if i % 2 else org.cadre2
        results = evaluating(ProposalFactory(home_unit=org.agency, created_by=author))
        decision = under_review(
            ProposalFactory(home_unit=org.agency, created_by=author), author, org.head
        )
        if i % 2:
            evaluation_ballot_cast(proposal=fresh(results), actor=org.deputy, choice="abstain")
            vote_cast(proposal=fresh(decision), actor=org.deputy, choice="for")


@pytest.mark.parametrize("url", [VOTES, "/api/v1/proposals/?awaiting_me=true"])
def test_the_lists_run_a_fixed_number_of_queries(client, org, url):
    client.force_login(org.deputy)
    _add(org, 2)
    few = _count_queries(client, url)
    _add(org, 5)
    assert _count_queries(client, url) == few


def test_each_vote_shows_its_own_due_date(client, org, results):
    """The decision's ballot is due by the decision's due date; the evaluation's by 7 working
    days after the final report (Art. 18), flagged once passed: each row says when."""
    import re
    from datetime import date
    from unittest import mock

    from django.utils import timezone

    from reviews.rules import evaluation_due

    decision = under_review(
        ProposalFactory(home_unit=org.agency, created_by=org.cadre), org.cadre, org.head
    )
    page = page_of(client, org.deputy)
    assert "Hạn biểu quyết" in page
    due = evaluation_due(fresh(results).state_changed_at)
    for proposal, day in ((decision, fresh(decision).decision_due), (results, due)):
        row = re.search(rf"<tr role=\"row\">(?:(?!</tr>).)*{proposal.code}.*?</tr>", page, re.S)
        assert row and f'<time datetime="{day.isoformat()}">' in row.group(0), proposal.code
    assert due >= timezone.localdate()  # just filed: not overdue
    assert "Quá hạn" not in page

    # Months later, the evaluation's ballot is overdue.
    with mock.patch("django.utils.timezone.localdate", return_value=date(due.year + 1, 1, 5)):
        assert "Quá hạn" in page_of(client, org.deputy)


def test_the_vote_queue_reads_the_calendar_once_whatever_its_rows(client, org, results):
    client.force_login(org.deputy)
    client.get(VOTES)
    with CaptureQueriesContext(connection) as one:
        client.get(VOTES)
    for _ in range(3):
        evaluating(ProposalFactory(home_unit=org.agency, created_by=org.cadre), party=org.party)
    with CaptureQueriesContext(connection) as four:
        client.get(VOTES)
    assert len(four) == len(one)
