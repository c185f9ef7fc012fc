"""lifecycle.md, "Ledger": a whole life driven only through the services leaves one continuous,
linked, verifiable chain; verification names the first broken entry."""

import itertools
import json

import pytest
from django.test import Client
from django.utils import timezone

from ledger.hashing import GENESIS, hash_of_entry
from ledger.models import AppendOnlyError, LedgerEntry
from pilots import services as pilots
from proposals import services as proposals
from proposals.models import Proposal, ProposalVersion
from proposals.selectors import proposal_verify
from reviews import board_requests, evaluation
from reviews import services as reviews
from tests.factories.pilots import plan_data
from tests.factories.proposals import CONDITIONS_MET, committee_reference, fresh
from tests.ledger.tamper import tampering

from .life import (
    CAUSES,
    FINAL_REPORT,
    FINALS,
    PROTECTED,
    S,
    cadre_draft,
    drive,
    entries,
    minutes_file,
    pilot_activity,
)

pytestmark = pytest.mark.django_db


def full_life(org):
    """A cadre's proposal, returned once, escalated to the province, approved there, piloted in the
    agency, evaluated as achieved, recognised, replicated and institutionalised: every step a
    service call by the person lifecycle.md names. Returns (proposal, expected events)."""
    p = cadre_draft(org)
    events = []

    def do(event, call):
        result = call()
        events.append(event)
        return result

    do("submit", lambda: proposals.proposal_submit(proposal=fresh(p), actor=org.cadre))
    do("open_review", lambda: proposals.proposal_open_review(proposal=fresh(p), actor=org.head))
    do(
        "return_for_revision",
        lambda: proposals.proposal_return_for_revision(
            proposal=fresh(p), actor=org.head, comment="Bổ sung nguồn lực."
        ),
    )
    proposals.proposal_update(proposal=fresh(p), actor=org.cadre, resources="600 triệu đồng.")
    do("submit", lambda: proposals.proposal_submit(proposal=fresh(p), actor=org.cadre))
    do("open_review", lambda: proposals.proposal_open_review(proposal=fresh(p), actor=org.head))
    do(
        "vote",
        lambda: proposals.vote_cast(proposal=fresh(p), actor=org.deputy1, choice="for"),
    )
    do(
        "escalate",
        lambda: proposals.proposal_escalate(
            proposal=fresh(p), actor=org.head, reason="Liên ngành."
        ),
    )
    do("open_review", lambda: proposals.proposal_open_review(proposal=fresh(p), actor=org.p_head))
    do(
        "opinion",
        lambda: proposals.opinion_record(
            proposal=fresh(p),
            actor=org.p_party,
            stage="decision",
            stance="agree",
            text="Đồng ý.",
            **committee_reference(),
        ),
    )
    for voter in (org.p_head, org.p_deputy):
        do("vote", lambda v=voter: proposals.vote_cast(proposal=fresh(p), actor=v, choice="for"))
    do(
        "approve",
        lambda: proposals.proposal_approve(
            proposal=fresh(p), actor=org.p_head, mode="pilot", **CONDITIONS_MET
        ),
    )
    do(
        "plan_version",
        lambda: pilots.plan_save(
            proposal=fresh(p), actor=org.head, **plan_data(monitors=[org.p_inspector])
        ),
    )
    do("plan_cosign", lambda: pilots.plan_cosign(proposal=fresh(p), actor=org.p_head))
    do("start", lambda: pilots.pilot_start(proposal=fresh(p), actor=org.head))
    pilot_activity(p, author=org.cadre, inspector=org.p_inspector, head=org.head, do=do)
    do("complete", lambda: pilots.pilot_complete(proposal=fresh(p), actor=org.cadre))
    do(
        "submit_final_report",
        lambda: pilots.pilot_submit_final_report(
            proposal=fresh(p), actor=org.cadre, report=FINAL_REPORT, kpi_values=FINALS
        ),
    )
    do(
        "opinion",
        lambda: proposals.opinion_record(
            proposal=fresh(p),
            actor=org.p_party,
            stage="evaluation",
            stance="agree",
            text="Tốt.",
            **committee_reference(),
        ),
    )
    for voter in (org.p_head, org.p_deputy):
        do(
            "evaluation_vote",
            lambda v=voter: evaluation.evaluation_ballot_cast(
                proposal=fresh(p), actor=v, choice="achieved"
            ),
        )
    do(
        "evaluate",
        lambda: reviews.proposal_evaluate(
            proposal=fresh(p),
            actor=org.p_head,
            outcome="achieved",
            meeting_date=timezone.localdate(),
            minutes=minutes_file(),
            **CAUSES,
        ),
    )
    # The organization board proposes, the standing committee decides (amendment 2026-11-29).
    asked = board_requests.recognition_propose(
        proposal=fresh(p), actor=org.p_board, kind="reward", grounds="Mô hình hiệu quả."
    )
    events.append("recognition_propose")
    do(
        "recognition",
        lambda: board_requests.board_request_decide(
            board_request=asked, actor=org.p_standing, decision="approve"
        ),
    )
    directive = board_requests.replication_propose(
        proposal=fresh(p), actor=org.p_board, target_units=[org.commune], grounds="Phù hợp."
    )
    events.append("replication_propose")
    do(
        "replicate",
        lambda: board_requests.board_request_decide(
            board_request=directive, actor=org.p_standing, decision="approve"
        ),
    )
    do(
        "institutionalize",
        lambda: reviews.proposal_institutionalize(
            proposal=fresh(p),
            actor=org.p_board,
            title="Quy chế một cửa số",
            issuing_level="province",
        ),
    )
    return fresh(p), events


def test_a_full_life_leaves_one_verifiable_chain(org):
    proposal, events = full_life(org)
    assert proposal.state == S.INSTITUTIONALIZED
    chain = entries(proposal)
    assert [e.event for e in chain] == events
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    previous = GENESIS
    for entry in chain:
        assert entry.prev_hash == previous
        assert entry.hash == hash_of_entry(entry, proposal.code)
        previous = entry.hash
    # each entry refers to the version current when it was written
    v1, v2 = ProposalVersion.objects.filter(proposal=proposal).order_by("number")
    resubmission = [e.seq for e in chain if e.event == "submit"][1]
    assert {e.dossier_hash for e in chain if e.seq < resubmission} == {v1.content_hash}
    assert {e.dossier_hash for e in chain if e.seq >= resubmission} == {v2.content_hash}
    # the state path of the transitions is the table's
    path = [(e.from_state, e.to_state) for e in chain if e.from_state != e.to_state]
    assert path[0] == (S.DRAFT, S.SUBMITTED)
    assert path[-1] == (S.REPLICATED, S.INSTITUTIONALIZED)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(path))
    verification = proposal_verify(proposal)
    assert verification.as_dict() == {
        "valid": True,
        "entries": len(chain),
        "head": chain[-1].hash,
        "first_bad_seq": None,
        "record_kind": None,
        "record_label": "",
        "problem": "",
    }
    adoption = Proposal.objects.get(origin=proposal)
    assert proposal_verify(adoption).valid


def test_the_api_verifies_the_same_chain(org):
    proposal, _events = full_life(org)
    client = Client()
    client.force_login(org.cadre)
    answer = client.get(f"/api/v1/proposals/{proposal.pk}/ledger/verify/").json()
    assert answer == proposal_verify(proposal).as_dict()
    assert answer["valid"] is True


def test_a_full_life_to_each_responsibility_outcome_verifies(org):
    for outcome in (S.LIABILITY_EXCLUDED, S.HELD_RESPONSIBLE, S.REFERRED):
        proposal = drive(org, cadre_draft(org), outcome)
        assert proposal_verify(proposal).valid, outcome


def _sql(statement, params):
    with tampering() as cursor:
        cursor.execute(statement, params)


TABLE = LedgerEntry._meta.db_table

TAMPERING = [
    ("payload", lambda e: json.dumps({**e.payload, "forged": True})),
    ("event", lambda e: "forged"),
    ("to_state", lambda e: "liability_excluded"),
    ("dossier_hash", lambda e: "0" * 64),
    ("prev_hash", lambda e: "f" * 64),
    ("actor_id", lambda e: None),
]


@pytest.mark.parametrize(("column", "forge"), TAMPERING, ids=[c for c, _f in TAMPERING])
@pytest.mark.parametrize("seq", [1, 9, "last"])
def test_verification_names_the_first_altered_entry(org, column, forge, seq):
    proposal = drive(org, cadre_draft(org), S.HELD_RESPONSIBLE)
    chain = entries(proposal)
    entry = chain[-1] if seq == "last" else chain[seq - 1]
    _sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [forge(entry), entry.pk])  # noqa: S608
    verification = proposal_verify(proposal)
    assert (verification.valid, verification.first_bad_seq) == (False, entry.seq)


def test_a_removed_entry_breaks_the_chain_at_the_gap(org):
    proposal = drive(org, cadre_draft(org), S.EVALUATING)
    victim = entries(proposal)[4]
    _sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])  # noqa: S608
    verification = proposal_verify(proposal)
    assert (verification.valid, verification.first_bad_seq) == (False, victim.seq + 1)


def test_an_altered_frozen_version_is_found_by_the_first_entry_that_refers_to_it(org):
    proposal = drive(org, cadre_draft(org), S.APPROVED)
    version = ProposalVersion.objects.get(proposal=proposal)
    content = {**version.content, "fields": {**version.content["fields"], "purpose": "Khác."}}
    _sql(
        f"UPDATE {ProposalVersion._meta.db_table} SET content = %s WHERE id = %s",  # noqa: S608
        [json.dumps(content), version.pk],
    )
    verification = proposal_verify(proposal)
    assert (verification.valid, verification.first_bad_seq) == (False, 1)


def test_entries_are_append_only(org):
    proposal = drive(org, cadre_draft(org), S.SUBMITTED)
    entry = entries(proposal)[0]
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(event="x")
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_a_proposal_edited_behind_the_ledgers_back_does_not_verify(org):
    """lifecycle.md: "so a later edit of any row in the database is detectable". Turning a
    `held_responsible` into `liability_excluded` by editing the proposal and its decision rows
    leaves the chain intact, and verification — and the dossier printed afterwards, whose
    decision section reads those rows — call it valid although the ledger's last entry says
    held_responsible."""
    from reviews.models import ResponsibilityDecision

    proposal = drive(org, cadre_draft(org), S.HELD_RESPONSIBLE)
    assert entries(proposal)[-1].to_state == S.HELD_RESPONSIBLE
    _sql(
        f"UPDATE {Proposal._meta.db_table} SET state = %s WHERE id = %s",  # noqa: S608
        ["liability_excluded", proposal.pk],
    )
    _sql(
        f"UPDATE {ResponsibilityDecision._meta.db_table} SET decision = %s, "  # noqa: S608
        "pure_motive = %s WHERE proposal_id = %s",
        ["liability_excluded", True, proposal.pk],
    )
    assert proposal_verify(fresh(proposal)).valid is False


def test_the_responsibility_payload_records_what_was_decided(org):
    proposal = drive(org, cadre_draft(org), S.HELD_RESPONSIBLE)
    payload = entries(proposal)[-1].payload
    assert payload["decision"] == "held_responsible"
    assert payload["criteria"] == {**PROTECTED, "pure_motive": False}
