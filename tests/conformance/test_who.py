"""lifecycle.md, the "who" column: every transition is fired by exactly the role it names, in the
right unit (home unit, deciding unit, or an ancestor-or-self of the home unit), and by nobody else:
403 for someone who can see the proposal, 404 for someone who cannot; nothing written either way.

Each transition is tried by every person of the tree (conftest.org) on a cadre's proposal (home
unit = deciding unit = agency) and on the agency head's own proposal (decided by the province), so
"head of the home unit" and "head of the deciding unit" are different people."""

import pytest

from kl14.errors import Forbidden, NotFound
from tests.factories.proposals import fresh
from units.models import Role

from .life import (
    TABLE,
    S,
    cadre_draft,
    drive,
    fingerprint,
    fire,
    head_draft,
    prepare,
    spec_may,
    spec_visible,
)

pytestmark = pytest.mark.django_db

# A source state of each transition to try it from.
FROM = {
    "submit": S.DRAFT,
    "withdraw": S.SUBMITTED,
    "open_review": S.SUBMITTED,
    "return_for_revision": S.UNDER_REVIEW,
    "escalate": S.UNDER_REVIEW,
    "approve": S.UNDER_REVIEW,
    "reject": S.UNDER_REVIEW,
    "start": S.APPROVED,
    "suspend": S.IN_PROGRESS,
    "resume": S.SUSPENDED,
    "terminate": S.SUSPENDED,
    "complete": S.IN_PROGRESS,
    "submit_final_report": S.ENDED,
    "evaluate": S.EVALUATING,
    "decide_responsibility": S.RESPONSIBILITY_REVIEW,
    "refer_abuse": S.ENDED,
    "conclude_abuse": S.ABUSE_REVIEW,
    "replicate": S.SUCCEEDED,
    "institutionalize": S.SUCCEEDED,
    "revise_responsibility": S.HELD_RESPONSIBLE,
}
assert set(FROM) == set(TABLE)
assert all(state in TABLE[name][0] for name, state in FROM.items())


def _try(org, proposal, name, user):
    before = fingerprint()
    try:
        fire(org, proposal, name, actor=user)
    except Forbidden:
        assert fingerprint() == before
        return 403
    except NotFound:
        assert fingerprint() == before
        return 404
    return 200


def _expected(org, proposal, name, user):
    if not spec_visible(user, proposal):
        return 404
    return 200 if spec_may(user, proposal, name) else 403


@pytest.mark.parametrize("name", list(FROM))
@pytest.mark.parametrize("kind", ["cadre", "head"])
def test_only_the_role_lifecycle_md_names_may_fire(org, name, kind):
    if kind == "head" and name == "escalate":
        pytest.skip("the province (deciding unit) is the root: nothing to escalate to")
    make = head_draft if kind == "head" else cadre_draft

    def proposal_in_state():
        proposal = drive(org, make(org), FROM[name])
        prepare(org, proposal, name)
        return proposal

    proposal = proposal_in_state()
    users = {n: getattr(org, n) for n in org.people}
    expected = {n: _expected(org, proposal, name, u) for n, u in users.items()}
    got = {}
    for n, user in users.items():
        if expected[n] != 200:
            got[n] = _try(org, proposal, name, user)
    for n, user in users.items():
        if expected[n] == 200:  # each on a proposal of its own: firing moves the state on
            got[n] = _try(org, proposal_in_state(), name, user)
    assert got == expected
    assert any(code == 200 for code in got.values())


# The table above compares the application with an oracle; these rows pin down who that oracle
# names, so that a reader can check it against lifecycle.md by eye.
WHO = [
    # transition, proposal kind, people allowed
    ("submit", "cadre", {"cadre"}),
    ("submit", "head", {"head", "cadre"}),
    ("open_review", "cadre", {"head"}),
    ("open_review", "head", {"p_head"}),
    ("approve", "head", {"p_head"}),
    ("start", "cadre", {"head"}),
    # Nobody supervises their own proposal: the head who decided it does (Art. 7(4)).
    ("start", "head", {"p_head"}),
    ("suspend", "cadre", {"head"}),
    ("suspend", "head", {"p_head"}),
    ("resume", "head", {"p_head"}),
    ("terminate", "head", {"p_head"}),
    ("complete", "cadre", {"cadre"}),
    ("complete", "head", {"p_head"}),
    ("submit_final_report", "cadre", {"cadre"}),
    ("evaluate", "head", {"p_head"}),
    ("decide_responsibility", "head", {"p_head"}),
    ("refer_abuse", "cadre", {"head", "a_inspector", "p_inspector"}),
    ("refer_abuse", "head", {"p_head", "a_inspector", "p_inspector"}),
    # The inspection of a unit above the home unit finds on the case (not the agency's own).
    ("conclude_abuse", "cadre", {"p_inspector"}),
    ("conclude_abuse", "head", {"p_inspector"}),
    # The province's board proposes; only the province's standing committee decides (the root
    # has no unit above it whose head could); the board itself never does.
    ("replicate", "cadre", {"p_standing"}),
    ("replicate", "head", {"p_standing"}),
    ("institutionalize", "head", {"a_board", "p_board"}),
    # A complaint is resolved by the head who decided (Law on Complaints, Art. 18).
    ("revise_responsibility", "cadre", {"head"}),
    ("revise_responsibility", "head", {"p_head"}),
]


@pytest.mark.parametrize(("name", "kind", "allowed"), WHO)
def test_the_oracle_names_the_people_of_lifecycle_md(org, name, kind, allowed):
    proposal = drive(org, (head_draft if kind == "head" else cadre_draft)(org), FROM[name])
    assert {n for n in org.people if spec_may(getattr(org, n), proposal, name)} == allowed


def test_replication_needs_a_board_over_the_source_and_every_target(org):
    """The agency's board is over the source but not over the commune: refused as input (400),
    nothing written; the province's board covers both, and its request still waits for the
    competent authority: nothing is replicated until the standing committee approves."""
    from kl14.errors import Invalid
    from reviews import board_requests

    proposal = drive(org, cadre_draft(org), S.SUCCEEDED)
    before = fingerprint()
    for targets in ([org.commune], [org.office, org.commune]):
        with pytest.raises(Invalid) as error:
            board_requests.replication_propose(
                proposal=proposal, actor=org.a_board, target_units=targets, grounds="x"
            )
        assert "target_units" in error.value.errors
        assert fingerprint() == before
    request = board_requests.replication_propose(
        proposal=proposal, actor=org.p_board, target_units=[org.commune], grounds="x"
    )
    assert fresh(proposal).state == S.SUCCEEDED
    for user, refusal in (
        (org.p_board, Forbidden),
        (org.a_board, Forbidden),
        (org.head, Forbidden),
        (org.p_head, NotFound),  # does not see the agency's own proposal
    ):
        with pytest.raises(refusal):
            board_requests.board_request_decide(
                board_request=request, actor=user, decision="approve"
            )
    board_requests.board_request_decide(
        board_request=request, actor=org.p_standing, decision="approve"
    )
    assert fresh(proposal).state == S.REPLICATED
    assert org.people["p_board"] == (org.province, Role.ORGANIZATION_BOARD)
    assert org.people["p_standing"] == (org.province, Role.STANDING_COMMITTEE)
