"""lifecycle.md, "Actions inside a state": votes and opinions in under_review, progress reports,
inspections and plan adjustments in in_progress, the Party committee's opinion in evaluating,
recognition in succeeded and later — each by its people only, in its state only, and each appending
exactly one ledger entry."""

import datetime

import pytest
from django.utils import timezone

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from ledger.models import LedgerEntry
from pilots import services as pilots
from proposals import services as proposals
from proposals.models import ProposalAuthor, Vote
from proposals.selectors import proposal_tally
from reviews import board_requests
from reviews.models import BoardRequest, Recognition
from tests.factories.proposals import committee_reference, fresh
from tests.factories.units import grant
from units.models import Role

from .life import S, cadre_draft, current_hash, drive, fingerprint, head_draft, save_plan

pytestmark = pytest.mark.django_db


def one_entry(proposal, call, *, event, actor):
    """Runs `call`; exactly one ledger entry is appended in the whole database, on `proposal`,
    naming the event, the (unchanged) state, the actor and the current version's hash."""
    total = LedgerEntry.objects.count()
    state = fresh(proposal).state
    result = call()
    assert LedgerEntry.objects.count() == total + 1
    entry = LedgerEntry.objects.order_by("-pk").first()
    assert entry.proposal_id == proposal.pk
    assert (entry.event, entry.from_state, entry.to_state) == (event, state, state)
    assert fresh(proposal).state == state
    assert entry.actor_id == actor.pk
    assert entry.dossier_hash == current_hash(proposal) != ""
    return result, entry


def outcome(call):
    before = fingerprint()
    try:
        call()
    except (Forbidden, NotFound, Conflict, Invalid) as error:
        assert fingerprint() == before
        return error.status
    return 200


# --- votes --------------------------------------------------------------------------------------


def vote(proposal, user, choice="for"):
    return proposals.vote_cast(proposal=fresh(proposal), actor=user, choice=choice)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "cadre",  # decided in the agency
            {"head": 200, "deputy1": 200, "deputy2": 200, "cadre": 403, "party": 403},
        ),
        (
            "head",  # decided in the province; the agency head is an author
            {"p_head": 200, "p_deputy": 200, "head": 403, "deputy1": 403, "p_party": 403},
        ),
        ("cadre", {"p_head": 404, "c_head": 404, "o_head": 404, "a_inspector": 403}),
    ],
)
def test_eligible_voters_are_the_head_and_deputies_of_the_deciding_unit(org, kind, expected):
    proposal = drive(org, (head_draft if kind == "head" else cadre_draft)(org), S.UNDER_REVIEW)
    got = {}
    for name in expected:
        user = getattr(org, name)
        got[name] = outcome(lambda user=user: vote(proposal, user))
    assert got == expected


def test_a_deputy_who_is_an_author_does_not_vote_and_does_not_count(org):
    draft = cadre_draft(org)
    ProposalAuthor.objects.create(proposal=draft, user=org.deputy1)
    proposal = drive(org, draft, S.UNDER_REVIEW)
    assert outcome(lambda: vote(proposal, org.deputy1)) == 403
    assert proposal_tally(proposal).eligible == 2


def test_a_vote_is_cast_changed_and_each_time_recorded(org):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    _vote, first = one_entry(
        proposal, lambda: vote(proposal, org.deputy1, "for"), event="vote", actor=org.deputy1
    )
    _vote, second = one_entry(
        proposal, lambda: vote(proposal, org.deputy1, "against"), event="vote", actor=org.deputy1
    )
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert (first.payload["choice"], first.payload["changed"]) == ("for", False)
    assert (second.payload["choice"], second.payload["changed"]) == ("against", True)
    assert proposal_tally(fresh(proposal)).against == 1


@pytest.mark.parametrize("state", [S.SUBMITTED, S.RETURNED, S.APPROVED, S.REJECTED])
def test_votes_only_while_under_review(org, state):
    proposal = drive(org, cadre_draft(org), state)
    assert outcome(lambda: vote(proposal, org.deputy1)) == 409


@pytest.mark.parametrize("choice", ["yes", "", None])
def test_a_vote_is_for_against_or_abstain(org, choice):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    assert outcome(lambda: vote(proposal, org.deputy1, choice)) == 400


PASS_RULE = [
    # extra deputies in the agency, {voter: choice}, passed
    # 3 eligible (head, deputy1, deputy2)
    (0, {}, False),
    (0, {"head": "for"}, False),
    (0, {"deputy1": "for", "deputy2": "for"}, True),
    (0, {"head": "for", "deputy1": "for", "deputy2": "against"}, True),
    (0, {"head": "for", "deputy1": "abstain", "deputy2": "against"}, False),
    # 4 eligible: exactly half passes only with the head
    (1, {"head": "for", "deputy1": "for"}, True),
    (1, {"deputy1": "for", "deputy2": "for", "head": "against"}, False),
    (1, {"deputy1": "for", "deputy2": "for"}, False),
    (1, {"deputy1": "for", "deputy2": "for", "deputy3": "for"}, True),
    (1, {"head": "abstain", "deputy1": "for", "deputy2": "for", "deputy3": "for"}, True),
]


@pytest.mark.parametrize(("extra", "votes", "passed"), PASS_RULE)
def test_the_pass_rule(org, extra, votes, passed):
    people = {"head": org.head, "deputy1": org.deputy1, "deputy2": org.deputy2}
    if extra:
        people["deputy3"] = grant(org.agency, Role.DEPUTY, username="deputy3")
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    for name, choice in votes.items():
        vote(proposal, people[name], choice)
    tally = proposal_tally(fresh(proposal))
    assert tally.eligible == 3 + extra
    assert tally.passed is passed


@pytest.mark.parametrize(
    ("votes", "passed"),
    [
        ({"p_head": "for", "p_deputy": "against"}, True),  # a tie: the head decides
        ({"p_head": "against", "p_deputy": "for"}, False),
        ({"p_head": "for", "p_deputy": "abstain"}, True),
        ({"p_deputy": "for"}, False),
    ],
)
def test_a_tie_is_decided_by_the_head_of_the_deciding_unit(org, votes, passed):
    proposal = drive(org, head_draft(org), S.UNDER_REVIEW)  # eligible: province head + deputy
    for name, choice in votes.items():
        vote(proposal, getattr(org, name), choice)
    assert proposal_tally(fresh(proposal)).passed is passed


# --- Party committee opinions -------------------------------------------------------------------


def opinion(proposal, user, stage, stance="agree", text="Ý kiến của cấp ủy.", **reference):
    return proposals.opinion_record(
        proposal=fresh(proposal),
        actor=user,
        stage=stage,
        stance=stance,
        text=text,
        **{**committee_reference(), **reference},
    )


@pytest.mark.parametrize(
    ("stage", "state", "expected"),
    [
        ("decision", S.UNDER_REVIEW, 200),
        ("decision", S.SUBMITTED, 409),
        ("decision", S.APPROVED, 409),
        ("decision", S.EVALUATING, 409),
        ("evaluation", S.EVALUATING, 200),
        ("evaluation", S.UNDER_REVIEW, 409),
        ("evaluation", S.IN_PROGRESS, 409),
        ("evaluation", S.SUCCEEDED, 409),
    ],
)
def test_opinions_at_their_stage_only(org, stage, state, expected):
    proposal = drive(org, cadre_draft(org), state)
    if expected == 200:
        one_entry(
            proposal, lambda: opinion(proposal, org.party, stage), event="opinion", actor=org.party
        )
    else:
        assert outcome(lambda: opinion(proposal, org.party, stage)) == expected


@pytest.mark.parametrize(
    ("who", "expected"), [("p_party", 200), ("party", 403), ("p_head", 403), ("c_party", 404)]
)
def test_the_opinion_is_the_same_level_party_committees(org, who, expected):
    """The deciding unit's Party committee: the province's, for the agency head's proposal."""
    proposal = drive(org, head_draft(org), S.UNDER_REVIEW)
    assert outcome(lambda: opinion(proposal, getattr(org, who), "decision")) == expected


@pytest.mark.parametrize(
    ("stance", "text", "field"),
    [("maybe", "Văn bản.", "stance"), ("agree", "", "text"), ("disagree", "  ", "text")],
)
def test_an_opinion_is_a_stance_and_a_text(org, stance, text, field):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    before = fingerprint()
    with pytest.raises(Invalid) as error:
        opinion(proposal, org.party, "decision", stance, text)
    assert field in error.value.errors
    assert fingerprint() == before


# --- in_progress: progress reports, inspections, adjustments ------------------------------------


def report(proposal, user):
    return pilots.report_file(
        proposal=fresh(proposal),
        actor=user,
        narrative="Đã hoàn thành khảo sát hiện trạng.",
        kpi_values={"Tỷ lệ hồ sơ trực tuyến": "20"},
    )


@pytest.mark.parametrize(
    ("kind", "who", "state", "expected"),
    [
        ("cadre", "cadre", S.IN_PROGRESS, 200),
        ("head", "cadre", S.IN_PROGRESS, 200),  # a co-author
        ("head", "head", S.IN_PROGRESS, 200),
        ("cadre", "head", S.IN_PROGRESS, 403),  # the head, not an author
        ("cadre", "cadre2", S.IN_PROGRESS, 404),
        ("cadre", "cadre", S.SUSPENDED, 409),
        ("cadre", "cadre", S.ENDED, 409),
        ("cadre", "cadre", S.APPROVED, 409),
    ],
)
def test_progress_reports_by_authors_while_in_progress(org, kind, who, state, expected):
    proposal = drive(org, (head_draft if kind == "head" else cadre_draft)(org), state)
    user = getattr(org, who)
    if expected == 200:
        one_entry(proposal, lambda: report(proposal, user), event="progress_report", actor=user)
    else:
        assert outcome(lambda: report(proposal, user)) == expected


def inspect(proposal, user):
    return pilots.inspection_record(
        proposal=fresh(proposal),
        actor=user,
        date=timezone.localdate(),
        findings="Triển khai đúng kế hoạch.",
        assessment="good",
    )


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("p_inspector", S.IN_PROGRESS, 200),  # the monitor the plan assigns
        ("a_inspector", S.IN_PROGRESS, 403),  # an inspector over the unit, not assigned
        ("head", S.IN_PROGRESS, 403),
        ("c_inspector", S.IN_PROGRESS, 404),
        ("p_inspector", S.ENDED, 409),
        ("p_inspector", S.APPROVED, 409),
    ],
)
def test_inspections_by_the_assigned_monitors(org, who, state, expected):
    proposal = drive(org, cadre_draft(org), state)
    if state == S.APPROVED:
        save_plan(org, proposal)  # the monitor is assigned, the work has not started
    user = getattr(org, who)
    if expected == 200:
        one_entry(proposal, lambda: inspect(proposal, user), event="inspection", actor=user)
    else:
        assert outcome(lambda: inspect(proposal, user)) == expected


def request_adjustment(proposal, user):
    return pilots.adjustment_request(
        proposal=fresh(proposal),
        actor=user,
        reasons="Cần thêm ngân sách.",
        changes={"budget_amount": 600_000_000},
    )


@pytest.mark.parametrize(
    ("kind", "approver", "expected"),
    [
        ("cadre", "head", 200),
        ("cadre", "deputy1", 403),
        # Nobody supervises their own proposal: the head who decided it does.
        ("head", "head", 403),
        ("head", "p_head", 200),
    ],
)
def test_plan_adjustments_are_approved_by_the_supervising_head(org, kind, approver, expected):
    proposal = drive(org, (head_draft if kind == "head" else cadre_draft)(org), S.IN_PROGRESS)
    adjustment, _entry = one_entry(
        proposal,
        lambda: request_adjustment(proposal, org.cadre),
        event="adjustment_request",
        actor=org.cadre,
    )
    user = getattr(org, approver)

    def approve():
        return pilots.adjustment_approve(adjustment=adjustment, actor=user, reasons="Đồng ý.")

    if expected == 200:
        one_entry(proposal, approve, event="adjustment_approve", actor=user)
        assert fresh(proposal).plan.budget_amount == 600_000_000
    else:
        assert outcome(approve) == expected


# --- recognition: the board proposes, the competent authority decides (amendment 2026-11-29) ----


def propose(proposal, user, kind="praise"):
    return board_requests.recognition_propose(
        proposal=fresh(proposal), actor=user, kind=kind, grounds="Mô hình hiệu quả."
    )


@pytest.mark.parametrize(
    ("kind", "who", "state", "expected"),
    [
        ("cadre", "p_board", S.SUCCEEDED, 200),
        ("cadre", "a_board", S.REPLICATED, 200),
        ("head", "p_board", S.INSTITUTIONALIZED, 200),
        # nobody else proposes, let alone grants: the deciding head, the authority, a deputy
        ("cadre", "head", S.SUCCEEDED, 403),
        ("head", "p_head", S.SUCCEEDED, 403),
        ("cadre", "p_standing", S.SUCCEEDED, 403),
        ("cadre", "deputy1", S.SUCCEEDED, 403),
        ("cadre", "c_board", S.SUCCEEDED, 404),
        ("cadre", "p_board", S.EVALUATING, 409),
        ("cadre", "p_board", S.LIABILITY_EXCLUDED, 409),
        ("cadre", "p_board", S.REFERRED, 409),
    ],
)
def test_recognition_is_proposed_by_the_board_in_succeeded_and_later(
    org, kind, who, state, expected
):
    proposal = drive(org, (head_draft if kind == "head" else cadre_draft)(org), state)
    user = getattr(org, who)
    if expected == 200:
        one_entry(
            proposal, lambda: propose(proposal, user), event="recognition_propose", actor=user
        )
        assert not Recognition.objects.filter(proposal=proposal).exists()
    else:
        assert outcome(lambda: propose(proposal, user)) == expected


def test_a_recognition_request_with_bad_input_is_refused(org):
    proposal = drive(org, cadre_draft(org), S.SUCCEEDED)
    assert outcome(lambda: propose(proposal, org.p_board, kind="medal")) == 400


@pytest.mark.parametrize(
    ("board", "who", "expected"),
    [
        # the province's board: the province is the root, its standing committee decides
        ("p_board", "p_standing", 200),
        ("p_board", "p_head", 404),  # no authority here, and does not see the agency's proposal
        ("p_board", "p_board", 403),
        # the agency's board: the head of the unit above (the province) or the standing committee
        ("a_board", "p_head", 200),
        ("a_board", "p_standing", 200),
        ("a_board", "a_board", 403),  # the board never decides its own request
        ("a_board", "head", 403),  # the deciding head of the proposal is not the authority
        ("a_board", "deputy1", 403),
        ("a_board", "c_head", 404),
    ],
)
def test_only_the_competent_authority_grants_a_recognition(org, board, who, expected):
    proposal = drive(org, cadre_draft(org), S.SUCCEEDED)
    request = propose(proposal, getattr(org, board))
    user = getattr(org, who)

    def decide():
        return board_requests.board_request_decide(
            board_request=BoardRequest.objects.get(pk=request.pk), actor=user, decision="approve"
        )

    if expected == 200:
        one_entry(proposal, decide, event="recognition", actor=user)
        assert Recognition.objects.filter(proposal=proposal, granted_by=user).count() == 1
        assert outcome(decide) == 409  # decided once
    else:
        assert outcome(decide) == expected


@pytest.mark.parametrize("stage", ["decision", "evaluation"])
@pytest.mark.parametrize(
    ("reference", "field"),
    [
        ({"document_number": ""}, "document_number"),
        ({"document_date": None}, "document_date"),
        ({"document_date": datetime.date(2099, 1, 1)}, "document_date"),
        ({"signer_name": ""}, "signer_name"),
        ({"signer_title": "  "}, "signer_title"),
    ],
)
def test_an_opinion_cites_the_committees_document_and_signer(org, stage, reference, field):
    """Amendment 2026-11-29: the opinion records the committee's document number and date and its
    signer (name and title), every one required; the date is not in the future."""
    state = S.UNDER_REVIEW if stage == "decision" else S.EVALUATING
    proposal = drive(org, cadre_draft(org), state)
    before = fingerprint()
    with pytest.raises(Invalid) as error:
        opinion(proposal, org.party, stage, **reference)
    assert list(error.value.errors) == [field]
    assert fingerprint() == before
