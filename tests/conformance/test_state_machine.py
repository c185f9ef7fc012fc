"""lifecycle.md, "Proposal lifecycle": every transition goes exactly "from → to" as the table says,
from every source state it lists and from no other one (409, nothing written).

Proposals are driven into each state through the real services (life.drive), never put there."""

import pytest

from kl14.errors import Conflict, NotFound
from proposals.models import Proposal, State
from proposals.permissions import access_proposal

from .life import (
    PROPOSED_FIRST,
    TABLE,
    S,
    actor_for,
    current_hash,
    entries,
    fingerprint,
    fire,
    prepare,
    revised_state,
)

pytestmark = pytest.mark.django_db

# With life.INPUTS, `evaluate` is "achieved" and `decide_responsibility` "liability_excluded"
# (the other targets of these two: test_requirements).
TARGET_OF_INPUTS = {
    "evaluate": S.SUCCEEDED,
    "decide_responsibility": S.LIABILITY_EXCLUDED,
    "conclude_abuse": S.REFERRED,  # a founded finding (unfounded: test_requirements)
}

# (transition, source, target) for every source the table lists.
ALLOWED = [
    (name, source, TARGET_OF_INPUTS.get(name) or next(iter(targets)))
    for name, (sources, targets, _who) in TABLE.items()
    for source in sorted(sources)
]


def test_the_model_declares_exactly_the_table():
    """Every django-fsm transition of Proposal, with its sources and targets, is the table's."""
    declared: dict = {}
    for t in Proposal._meta.get_field("state").get_all_transitions(Proposal):
        sources, targets = declared.setdefault(t.name, (set(), set()))
        sources.add(State(t.source))
        allowed = getattr(t.target, "allowed_states", None)
        targets.update(State(s) for s in (allowed if allowed is not None else [t.target]))
    assert declared == {name: (src, dst) for name, (src, dst, _who) in TABLE.items()}


def test_every_state_of_lifecycle_md_exists():
    assert {str(s) for s in State} == {
        "draft",
        "submitted",
        "under_review",
        "returned",
        "withdrawn",
        "rejected",
        "approved",
        "in_progress",
        "suspended",
        "ended",
        "evaluating",
        "succeeded",
        "responsibility_review",
        "liability_excluded",
        "exempted",
        "reduced",
        "held_responsible",
        "responsibility_decided",
        "referred",
        "abuse_review",
        "replicated",
        "institutionalized",
    }


@pytest.mark.parametrize(
    ("name", "source", "target"), ALLOWED, ids=[f"{n}:{s}" for n, s, _t in ALLOWED]
)
@pytest.mark.parametrize("head", [False, True], ids=["cadre-proposal", "head-proposal"])
def test_each_listed_source_leads_to_the_target_with_one_ledger_entry(
    org, reach, name, source, target, head
):
    if head and name == "escalate":
        pytest.skip("decided in the province, the root: nothing to escalate to (test_requirements)")
    proposal = reach(source, head=head)
    prepare(org, proposal, name)
    before = entries(proposal)
    actor = actor_for(org, proposal, name)
    proposal = fire(org, proposal, name)
    if name == "revise_responsibility":  # the state the authors' current decisions share
        target = revised_state(source, head_authored=head)
    assert proposal.state == target
    after = entries(proposal)
    # `replicate` fires on the authority's approval of the board's request, entered just before.
    first = [PROPOSED_FIRST[name]] if name in PROPOSED_FIRST else []
    assert [e.event for e in after[len(before) :]] == [*first, name]
    entry = after[-1]
    assert (entry.event, entry.from_state, entry.to_state) == (name, source, target)
    assert entry.actor_id == actor.pk
    # the hash of the frozen version it refers to (a never-submitted draft has none)
    assert entry.dossier_hash == current_hash(proposal)
    assert bool(entry.dossier_hash) == (proposal.version > 0)
    assert entry.seq == len(after)
    assert entry.prev_hash == (after[-2].hash if len(after) > 1 else "0" * 64)


@pytest.mark.parametrize("state", list(State), ids=str)
def test_no_transition_fires_from_a_state_the_table_does_not_list(org, reach, state):
    """From `state`, every transition whose sources do not include it answers 409 to the very
    person the table names (404 only to someone who cannot see the proposal: a draft's
    non-authors), and nothing is written."""
    proposal = reach(state)
    refused = [name for name, (sources, _t, _w) in TABLE.items() if state not in sources]
    assert refused, state
    outcomes = {}
    for name in refused:
        actor = actor_for(org, proposal, name)
        before = fingerprint()
        try:
            fire(org, proposal, name, actor=actor)
        except Conflict:
            outcomes[name] = 409
        except NotFound:
            outcomes[name] = 404
        else:  # pragma: no cover - a defect
            outcomes[name] = "FIRED"
        assert fingerprint() == before, name
    expected = {}
    for name in refused:
        try:
            access_proposal(actor_for(org, proposal, name), proposal.pk)
            expected[name] = 409
        except NotFound:
            expected[name] = 404
    assert outcomes == expected
    # a draft is its authors' alone: nobody else even learns it exists
    if state == S.DRAFT:
        assert {n for n, code in outcomes.items() if code == 404} == {
            n for n in refused if TABLE[n][2] not in ("author", "implementer")
        }
