"""lifecycle.md, Amendments: "Evaluation is collective (Art. 18): head and deputies of the deciding
unit who are not authors vote on the outcome like the decision vote (same arithmetic); the meeting
date and minutes are recorded", with "Votes are secret while open" and the Party committee's
disagreeing opinion needing the head's written reasons. Checked against an oracle written from the
specification, for every person of the tree, through the services and the API."""

import itertools

import pytest
from django.test import Client

from kl14.errors import Forbidden, Invalid, NotFound
from proposals import services as proposals
from reviews import evaluation
from tests.factories.proposals import committee_reference
from tests.factories.units import UserFactory

from .life import (
    S,
    cadre_draft,
    cast,
    drive,
    entries,
    fingerprint,
    fire,
    head_draft,
    minutes_file,
    record_evaluation_opinion,
    spec_visible,
)

pytestmark = pytest.mark.django_db

OUTCOMES = ("achieved", "partial", "not_achieved", "damage")


def spec_passes(eligible: int, votes_for: int, head_for: bool) -> bool:
    """lifecycle.md: passes when `for` is more than half of the eligible voters; when exactly
    half, it passes if the head voted for."""
    return votes_for * 2 > eligible or (votes_for * 2 == eligible and head_for)


def spec_collective(org, head_authored: bool) -> set[str]:
    """Head and deputies of the deciding unit who are not authors."""
    return {"p_head", "p_deputy"} if head_authored else {"head", "deputy1", "deputy2"}


@pytest.fixture
def evaluating(org):
    proposal = drive(org, cadre_draft(org), S.EVALUATING)
    record_evaluation_opinion(org, proposal)
    return proposal


@pytest.mark.parametrize("head_authored", [False, True])
def test_only_the_collective_of_the_deciding_unit_votes_authors_excluded(org, head_authored):
    proposal = drive(org, (head_draft if head_authored else cadre_draft)(org), S.EVALUATING)
    collective = spec_collective(org, head_authored)
    diff = []
    for name in org.people:
        user = getattr(org, name)
        before = fingerprint()
        try:
            evaluation.evaluation_ballot_cast(proposal=proposal, actor=user, choice="abstain")
            got = "cast"
        except Forbidden:
            got = "403"
        except NotFound:
            got = "404"
        expected = (
            "cast" if name in collective else ("403" if spec_visible(user, proposal) else "404")
        )
        if got != expected:
            diff.append((name, got, expected))
        if got != "cast":
            assert fingerprint() == before
    assert diff == []


@pytest.mark.parametrize(
    "ballots",
    list(itertools.product(["achieved", "partial", "abstain", None], repeat=3))[::7],
)
def test_the_outcome_passes_by_the_decision_votes_arithmetic(org, evaluating, ballots):
    voters = ("head", "deputy1", "deputy2")
    for name, choice in zip(voters, ballots, strict=True):
        if choice:
            evaluation.evaluation_ballot_cast(
                proposal=evaluating, actor=getattr(org, name), choice=choice
            )
    for outcome in OUTCOMES:
        votes_for = sum(1 for c in ballots if c == outcome)
        expected = spec_passes(3, votes_for, ballots[0] == outcome)
        assert evaluation.evaluation_tally(evaluating, outcome).passed == expected, outcome


def test_the_head_records_what_the_collective_carried_or_gives_reasons(org, evaluating):
    for name in ("deputy1", "deputy2"):
        evaluation.evaluation_ballot_cast(
            proposal=evaluating, actor=getattr(org, name), choice="partial"
        )
    before = fingerprint()
    with pytest.raises(Invalid) as error:
        fire(org, evaluating, "evaluate", outcome="achieved")
    assert "override_reason" in error.value.errors
    assert fingerprint() == before
    proposal = fire(org, evaluating, "evaluate", outcome="achieved", override_reason="Lý do.")
    assert proposal.state == S.SUCCEEDED
    entry = entries(proposal)[-1]
    assert entry.payload["head_bears_responsibility"] is True
    assert entry.payload["override_reason"] == "Lý do."
    assert entry.payload["tally"]["passed"] is False
    assert entry.payload["meeting_date"] and entry.payload["minutes"]["sha256"]


def test_the_meeting_date_and_minutes_are_required(org, evaluating):
    for name in ("head", "deputy1"):
        evaluation.evaluation_ballot_cast(
            proposal=evaluating, actor=getattr(org, name), choice="achieved"
        )
    before = fingerprint()
    with pytest.raises(Invalid) as error:
        fire(org, evaluating, "evaluate", minutes=None, meeting_date=None)
    assert {"minutes", "meeting_date"} <= set(error.value.errors)
    assert fingerprint() == before
    assert fire(org, evaluating, "evaluate", minutes=minutes_file()).state == S.SUCCEEDED


def test_a_disagreeing_opinion_on_the_results_needs_written_reasons(org):
    proposal = drive(org, cadre_draft(org), S.EVALUATING)
    proposals.opinion_record(
        proposal=proposal,
        actor=org.party,
        stage="evaluation",
        stance="disagree",
        text="Chưa đạt.",
        **committee_reference(),
    )
    for voter in cast(org, proposal).voters:
        evaluation.evaluation_ballot_cast(proposal=proposal, actor=voter, choice="achieved")
    with pytest.raises(Invalid) as error:
        fire(org, proposal, "evaluate")
    assert "override_reason" in error.value.errors
    proposal = fire(org, proposal, "evaluate", override_reason="Tập thể thống nhất.")
    assert entries(proposal)[-1].payload["against_opinion"] is True


def test_ballots_are_secret_while_open_the_tally_after(org, evaluating):
    evaluation.evaluation_ballot_cast(proposal=evaluating, actor=org.deputy1, choice="achieved")
    users = {name: getattr(org, name) for name in org.people}
    users["outsider"] = UserFactory(username="outsider")
    client = Client()
    diff = []
    for name, user in users.items():
        client.force_login(user)
        answer = client.get(f"/api/v1/proposals/{evaluating.pk}/evaluation/ballots/")
        if not spec_visible(user, evaluating):
            assert answer.status_code == 404
            continue
        body = answer.json()
        sees = name in spec_collective(org, False)
        got = (not body["secret"], bool(body["ballots"]), body["counts"] is not None)
        if got != (sees, sees, sees):
            diff.append((name, got))
        ledger = client.get(f"/api/v1/proposals/{evaluating.pk}/ledger/", {"page_size": 100})
        events = {row["event"] for row in ledger.json()["results"]}
        if ("evaluation_vote" in events) != sees:
            diff.append((name, "ledger"))
    assert diff == []
    for voter in ("head", "deputy2"):
        evaluation.evaluation_ballot_cast(
            proposal=evaluating, actor=getattr(org, voter), choice="achieved"
        )
    proposal = fire(org, evaluating, "evaluate")
    client.force_login(org.cadre)
    review = client.get(f"/api/v1/proposals/{proposal.pk}/review/").json()
    assert review["evaluation"]["tally"] == {
        "eligible": 3,
        "for": 3,
        "against": 0,
        "abstain": 0,
        "passed": True,
    }
    ballots = client.get(f"/api/v1/proposals/{proposal.pk}/evaluation/ballots/").json()
    assert ballots["ballots"] == [] and ballots["secret"]
