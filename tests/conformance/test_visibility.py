"""lifecycle.md, "Visibility": authors; head, deputies and Party committee of the deciding unit and
of the home unit; inspectors, organization boards and admins of any ancestor-or-self unit; every
signed-in user once published; 404 for everyone else. Checked for every person of the tree against
proposals in telling situations (escalated, decided above the home unit, replicated, published),
through the selector, `access_proposal` and the API list and detail."""

import pytest
from django.test import Client

from kl14.errors import NotFound
from proposals import services as proposals
from proposals.models import Proposal
from proposals.permissions import access_proposal
from proposals.selectors import proposals_visible_to
from reviews import services as reviews
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.units import UserFactory

from .life import S, cadre_draft, drive, fire, head_draft, spec_visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    """The proposals of the table, by name."""
    w = {}
    w["draft"] = cadre_draft(org)
    w["withdrawn draft"] = fire(org, cadre_draft(org), "withdraw")
    w["under review"] = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    w["returned"] = drive(org, cadre_draft(org), S.RETURNED)
    w["escalated"] = fire(org, drive(org, cadre_draft(org), S.UNDER_REVIEW), "escalate")
    w["head's own, under review"] = drive(org, head_draft(org), S.UNDER_REVIEW)
    w["head's own, in progress"] = drive(org, head_draft(org), S.IN_PROGRESS)
    # the office's proposal, escalated office -> agency -> province
    office = ProposalFactory(home_unit=org.office, created_by=org.o_cadre)
    proposals.proposal_submit(proposal=fresh(office), actor=org.o_cadre)
    proposals.proposal_escalate(proposal=fresh(office), actor=org.o_head, reason="Lên sở.")
    proposals.proposal_escalate(proposal=fresh(office), actor=org.head, reason="Lên tỉnh.")
    w["escalated twice"] = fresh(office)
    source = drive(org, cadre_draft(org), S.REPLICATED)  # adopted in the commune
    w["replicated source"] = source
    w["adoption in the commune"] = Proposal.objects.get(origin=source)
    lesson = drive(org, cadre_draft(org), S.HELD_RESPONSIBLE)
    reviews.lesson_publish(proposal=lesson, actor=org.head, lessons="Bài học kinh nghiệm.")
    w["published lesson"] = fresh(lesson)
    assert w["escalated twice"].deciding_unit == org.province
    assert w["escalated"].deciding_unit == org.province
    return w


def people(org):
    users = {name: getattr(org, name) for name in org.people}
    users["outsider"] = UserFactory(username="outsider")  # signed in, no membership
    return users


def test_the_selector_and_access_follow_lifecycle_md(org, world):
    diff = []
    for uname, user in people(org).items():
        listed = set(proposals_visible_to(user).values_list("pk", flat=True))
        for pname, proposal in world.items():
            expected = spec_visible(user, proposal)
            try:
                access_proposal(user, proposal.pk)
                accessible = True
            except NotFound:
                accessible = False
            if (proposal.pk in listed, accessible) != (expected, expected):
                diff.append((uname, pname, expected, proposal.pk in listed, accessible))
    assert diff == []


def test_the_api_list_and_detail_follow_lifecycle_md(org, world):
    client = Client()
    diff = []
    for uname, user in people(org).items():
        client.force_login(user)
        answer = client.get("/api/v1/proposals/", {"page_size": 100}).json()
        listed = {row["id"] for row in answer["results"]}
        assert answer["count"] == len(listed)
        for pname, proposal in world.items():
            expected = spec_visible(user, proposal)
            status = client.get(f"/api/v1/proposals/{proposal.pk}/").status_code
            if (proposal.pk in listed, status) != (expected, 200 if expected else 404):
                diff.append((uname, pname, expected, proposal.pk in listed, status))
    assert diff == []


# What the oracle says, spelled out for the telling cases, so it can be checked against
# lifecycle.md by eye.
SPELLED_OUT = [
    ("escalated", {"p_head", "p_deputy", "p_party", "head", "deputy1", "party"}, {"c_head"}),
    ("head's own, under review", {"p_head", "p_party", "deputy1", "party"}, {"o_head"}),
    (
        "escalated twice",
        {"o_head", "o_party", "p_head", "a_inspector", "a_board"},
        {"head", "deputy1", "party"},  # the agency decided it for a while: no longer its business
    ),
    ("adoption in the commune", {"c_head", "c_party", "c_deputy", "p_inspector"}, {"head"}),
    ("draft", {"cadre"}, {"head", "deputy1", "party", "p_inspector", "a_admin"}),
    # amendment "Published lessons": the lesson for all, the proposal as before publication
    ("published lesson", {"cadre", "head", "deputy1", "party"}, {"c_cadre", "o_cadre", "outsider"}),
]


@pytest.mark.parametrize(("pname", "sees", "does_not"), SPELLED_OUT)
def test_who_sees_what_spelled_out(org, world, pname, sees, does_not):
    users = people(org)
    proposal = world[pname]
    for name in sees:
        access_proposal(users[name], proposal.pk)
    for name in does_not:
        with pytest.raises(NotFound):
            access_proposal(users[name], proposal.pk)


def test_the_check_in_memory_answers_as_the_rule_in_sql(org, world):
    """permissions.can_see (one proposal, read first) and visible_q (a filter over many) are the
    same rule: for every person and proposal of the table, and for the head of the unit above an
    organization board that asks about a proposal (reviews.BoardRequest), the only branch the
    table does not reach. Loaded both ways: with its home unit and authors, and bare."""
    from proposals.permissions import can_see, visible_q
    from reviews import board_requests
    from tests.factories.reviews import succeeded

    asked = succeeded(cadre_draft(org), head=org.head, party=org.party)
    board_requests.recognition_propose(
        proposal=fresh(asked), actor=org.a_board, kind="praise", grounds="Hiệu quả rõ rệt."
    )
    cases = {**world, "asked by the agency's board": fresh(asked)}
    diff = []
    for uname, user in people(org).items():
        for pname, proposal in cases.items():
            in_sql = Proposal.objects.filter(visible_q(user), pk=proposal.pk).exists()
            bare = Proposal.objects.get(pk=proposal.pk)
            loaded = Proposal.objects.select_related("home_unit").prefetch_related("authorships")
            for row in (bare, loaded.get(pk=proposal.pk)):
                if can_see(user, row) != in_sql:
                    diff.append((uname, pname, in_sql))
    assert diff == []
    assert can_see(org.p_head, fresh(asked))  # through the board's request alone
    assert not can_see(org.p_head, fresh(world["under review"]))
