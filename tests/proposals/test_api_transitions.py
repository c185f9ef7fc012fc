"""`GET /transitions/` and `POST /transitions/{name}/` for every transition of the decision
stage: the happy path and its ledger entry, 409 wrong state, 403 wrong role, 404 another unit, 400
bad input with nothing written."""

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from ledger.models import LedgerEntry
from proposals import services
from proposals.models import Proposal, ProposalVersion, State, Vote
from tests.factories.proposals import (
    CONDITIONS_MET,
    ProposalFactory,
    committee_reference,
    fresh,
    in_state,
    submitted,
    under_review,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def fire(user, proposal, name, body=None):
    return client_for(user).post(
        f"/api/v1/proposals/{proposal.pk}/transitions/{name}/", body or {}, format="json"
    )


def snapshot(proposal):
    """Everything a refused request must leave as it was."""
    p = Proposal.objects.get(pk=proposal.pk)
    return (
        p.state,
        p.deciding_unit_id,
        p.version,
        p.decision_due,
        p.decision_round,
        p.mode,
        p.updated_at,
        LedgerEntry.objects.filter(proposal=p).count(),
        ProposalVersion.objects.filter(proposal=p).count(),
        Vote.objects.filter(proposal=p).count(),
    )


def agree(org, proposal):
    services.opinion_record(
        proposal=fresh(proposal),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )


def vote(proposal, user, choice="for"):
    services.vote_cast(proposal=fresh(proposal), actor=user, choice=choice)


# --- the states a case starts from ---


def draft_state(org, draft):
    return draft


def submitted_state(org, draft):
    return submitted(draft, org.cadre)


def returned_state(org, draft):
    services.proposal_return_for_revision(
        proposal=submitted(draft, org.cadre), actor=org.head, comment="Bổ sung"
    )
    return fresh(draft)


def review_state(org, draft):
    return under_review(draft, org.cadre, org.head)


def passed_state(org, draft):
    proposal = review_state(org, draft)
    agree(org, proposal)
    vote(proposal, org.head)
    vote(proposal, org.deputy1)
    return fresh(proposal)


def approved_state(org, draft):
    return in_state(draft, State.APPROVED, mode="pilot")


def incomplete_draft(org, draft):
    Proposal.objects.filter(pk=draft.pk).update(bottleneck="", criterion_reform=False)
    return fresh(draft)


@dataclass(frozen=True)
class Case:
    name: str
    start: object
    actor: str
    body: dict
    target: str
    wrong_state: object
    wrong_role: str
    wrong_role_start: object = None
    bad_body: dict | None = None
    bad_start: object = None
    bad_fields: set = field(default_factory=set)

    def __str__(self):
        return self.name


CASES = [
    Case(
        "submit",
        draft_state,
        "cadre",
        {},
        State.SUBMITTED,
        wrong_state=submitted_state,
        wrong_role="head",
        wrong_role_start=returned_state,
        bad_body={},
        bad_start=incomplete_draft,
        bad_fields={"bottleneck", "criterion_reform"},
    ),
    Case(
        "withdraw",
        submitted_state,
        "cadre",
        {"reason": "Không còn cần thiết"},
        State.WITHDRAWN,
        wrong_state=approved_state,
        wrong_role="head",
        bad_body={"reason": ""},
        bad_fields={"reason"},
    ),
    Case(
        "open_review",
        submitted_state,
        "head",
        {},
        State.UNDER_REVIEW,
        wrong_state=review_state,
        wrong_role="deputy1",
    ),
    Case(
        "return_for_revision",
        review_state,
        "head",
        {"comment": "Làm rõ nguồn lực"},
        State.RETURNED,
        wrong_state=approved_state,
        wrong_role="deputy1",
        bad_body={},
        bad_fields={"comment"},
    ),
    Case(
        "escalate",
        submitted_state,
        "head",
        {"reason": "Vượt thẩm quyền của Sở"},
        State.SUBMITTED,
        wrong_state=approved_state,
        wrong_role="cadre",
        bad_body={"reason": "   "},
        bad_fields={"reason"},
    ),
    Case(
        "approve",
        passed_state,
        "head",
        {"mode": "pilot", **CONDITIONS_MET},
        State.APPROVED,
        wrong_state=submitted_state,
        wrong_role="deputy1",
        bad_body={"mode": "forever"},
        bad_fields={"mode", *CONDITIONS_MET},
    ),
    Case(
        "reject",
        review_state,
        "head",
        {"reasons": "Chưa đủ cơ sở"},
        State.REJECTED,
        wrong_state=submitted_state,
        wrong_role="deputy1",
        bad_body={"reasons": ""},
        bad_fields={"reasons"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_happy_path_answers_the_proposal_and_writes_the_ledger(org, draft, case):
    proposal = case.start(org, draft)
    actor = getattr(org, case.actor)
    listed = client_for(actor).get(f"/api/v1/proposals/{proposal.pk}/transitions/").json()
    assert case.name in [t["name"] for t in listed]
    before = LedgerEntry.objects.filter(proposal=proposal).count()
    from_state = proposal.state

    response = fire(actor, proposal, case.name, case.body)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == proposal.pk and body["state"] == case.target
    assert fresh(proposal).state == case.target
    assert LedgerEntry.objects.filter(proposal=proposal).count() == before + 1
    ledger = client_for(actor).get(f"/api/v1/proposals/{proposal.pk}/ledger/?page_size=100")
    entry = ledger.json()["results"][-1]
    assert (entry["event"], entry["from_state"], entry["to_state"]) == (
        case.name,
        from_state,
        case.target,
    )
    assert entry["actor"]["id"] == actor.pk
    for key, value in case.body.items():
        if key in CONDITIONS_MET:  # the assessment is recorded per Art. 5(1) criterion
            criterion = services.ASSESSMENT_INPUTS[key]
            assert entry["payload"]["conditions"][criterion] == value
        else:
            assert entry["payload"][key] == value


@pytest.mark.parametrize("case", CASES, ids=str)
def test_wrong_state_is_409_and_writes_nothing(org, draft, case):
    proposal = case.wrong_state(org, draft)
    before = snapshot(proposal)
    response = fire(getattr(org, case.actor), proposal, case.name, case.body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "wrong_state"
    assert snapshot(proposal) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_wrong_role_is_403_and_writes_nothing(org, draft, case):
    proposal = (case.wrong_role_start or case.start)(org, draft)
    before = snapshot(proposal)
    response = fire(getattr(org, case.wrong_role), proposal, case.name, case.body)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden"
    assert snapshot(proposal) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_another_units_user_gets_404(org, draft, case):
    proposal = case.start(org, draft)
    before = snapshot(proposal)
    response = fire(org.commune_head, proposal, case.name, case.body)
    assert response.status_code == 404
    assert snapshot(proposal) == before


@pytest.mark.parametrize("case", [c for c in CASES if c.bad_body is not None], ids=str)
def test_bad_input_is_400_with_field_errors_and_writes_nothing(org, draft, case):
    proposal = (case.bad_start or case.start)(org, draft)
    before = snapshot(proposal)
    response = fire(getattr(org, case.actor), proposal, case.name, case.bad_body)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert case.bad_fields <= set(body["errors"])
    assert snapshot(proposal) == before


# --- the rules of the decision, through the API ---


def test_approve_needs_the_party_committees_opinion(org, draft):
    proposal = review_state(org, draft)
    vote(proposal, org.head)
    vote(proposal, org.deputy1)
    before = snapshot(proposal)
    response = fire(org.head, proposal, "approve", {"mode": "pilot", **CONDITIONS_MET})
    assert "opinion" in response.json()["errors"] and response.status_code == 400
    assert snapshot(proposal) == before


def test_approve_against_a_failed_vote_needs_written_reasons(org, draft):
    proposal = review_state(org, draft)
    agree(org, proposal)
    vote(proposal, org.deputy1, "against")
    before = snapshot(proposal)
    response = fire(org.head, proposal, "approve", {"mode": "implementation", **CONDITIONS_MET})
    assert response.status_code == 400 and "override_reason" in response.json()["errors"]
    assert snapshot(proposal) == before

    response = fire(
        org.head,
        proposal,
        "approve",
        {
            "mode": "implementation",
            "override_reason": "Tôi chịu trách nhiệm cá nhân",
            **CONDITIONS_MET,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "approved" and body["mode"] == "implementation"
    assert body["head_override"] is True
    entry = LedgerEntry.objects.filter(proposal=proposal).order_by("-seq").first()
    assert entry.payload["head_bears_responsibility"] is True


def test_reject_is_refused_when_the_vote_passed(org, draft):
    proposal = passed_state(org, draft)
    before = snapshot(proposal)
    response = fire(org.head, proposal, "reject", {"reasons": "Không"})
    assert response.status_code == 400 and "reasons" in response.json()["errors"]
    assert snapshot(proposal) == before


def test_escalate_moves_the_decision_to_the_parent_unit(org, draft):
    proposal = submitted_state(org, draft)
    body = fire(org.head, proposal, "escalate", {"reason": "Vượt thẩm quyền"}).json()
    assert body["deciding_unit"]["id"] == org.province.pk
    assert body["state"] == "submitted" and body["decision_due"]


def test_resubmitting_a_returned_proposal_freezes_version_2(org, draft):
    proposal = returned_state(org, draft)
    body = fire(org.cadre, proposal, "submit").json()
    assert body["state"] == "submitted" and body["version"] == 2


def test_unknown_transition_is_404(org, draft):
    proposal = submitted_state(org, draft)
    before = snapshot(proposal)
    response = fire(org.head, proposal, "teleport", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert snapshot(proposal) == before


def test_transition_of_a_later_stage_in_the_wrong_state_is_not_fired(org, draft):
    proposal = submitted_state(org, draft)
    before = snapshot(proposal)
    assert fire(org.head, proposal, "terminate", {"reason": "x"}).status_code in (403, 409)
    assert snapshot(proposal) == before


# --- what the user may fire now ---


def transitions(user, proposal):
    response = client_for(user).get(f"/api/v1/proposals/{proposal.pk}/transitions/")
    assert response.status_code == 200
    return response.json()


def test_author_of_a_draft_may_submit_or_withdraw(org, draft):
    listed = transitions(org.cadre, draft)
    assert [t["name"] for t in listed] == ["submit", "withdraw"]
    submit, withdraw = listed
    assert submit["fields"] == [] and submit["label"] and submit["confirm"]
    (reason,) = withdraw["fields"]
    assert reason["label"] and {**reason, "label": ""} == {
        "name": "reason",
        "type": "text",
        "required": True,
        "label": "",
    }


def test_head_under_review_sees_the_decision_with_its_fields(org, draft):
    proposal = review_state(org, draft)
    listed = {t["name"]: t for t in transitions(org.head, proposal)}
    assert set(listed) == {"return_for_revision", "escalate", "approve", "reject"}
    mode, override, *assessments = listed["approve"]["fields"]
    assert mode["name"] == "mode" and mode["type"] == "choice" and mode["required"]
    assert [c["value"] for c in mode["choices"]] == ["pilot", "implementation"]
    assert override["name"] == "override_reason" and not override["required"]
    # the collective's assessment of each Art. 5(1) condition (issue 11, point 7)
    assert [a["name"] for a in assessments] == [
        "assessment_bottleneck",
        "assessment_common_good",
        "assessment_urgent_need",
        "assessment_reform",
    ]
    for assessment in assessments:
        assert assessment["required"]
        assert [c["value"] for c in assessment["choices"]] == ["met", "not_met"]


def test_others_see_nothing_to_fire(org, draft):
    proposal = review_state(org, draft)
    assert transitions(org.deputy1, proposal) == []
    assert transitions(org.party, proposal) == []
    assert transitions(org.inspector, proposal) == []


def test_head_authored_proposal_is_decided_by_the_parent_head(org):
    proposal = submitted(ProposalFactory(home_unit=org.agency, created_by=org.head), org.head)
    assert [t["name"] for t in transitions(org.head, proposal)] == ["withdraw"]
    assert "open_review" in [t["name"] for t in transitions(org.province_head, proposal)]
    assert fire(org.head, proposal, "open_review").status_code == 403
    assert fire(org.province_head, proposal, "open_review").json()["state"] == "under_review"


def test_the_list_says_what_is_missing_before_approving(org, draft):
    """As the proposal page shows it on the disabled button: the Party committee's opinion."""
    proposal = review_state(org, draft)
    transitions = f"/api/v1/proposals/{proposal.pk}/transitions/"
    listed = {t["name"]: t for t in client_for(org.head).get(transitions).json()}
    approve = listed["approve"]
    assert approve["ready"] is False
    assert len(approve["missing"]) == 1 and org.agency.name in approve["missing"][0]
    assert approve["preview"] and approve["irreversible"] is False
    agree(org, proposal)
    listed = {t["name"]: t for t in client_for(org.head).get(transitions).json()}
    assert listed["approve"]["ready"] is True and listed["approve"]["missing"] == []
