"""api.md, checked against lifecycle.md: `GET /transitions/` lists exactly what the user may fire
now; `POST /transitions/{name}/` takes the inputs api.md names; the votes, ledger and verification
answers have their fields; errors are {detail, code, errors}; lists are paginated."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from proposals import services as proposals
from proposals import transitions as registry
from proposals.models import Proposal
from tests.factories.proposals import CONDITIONS_MET, committee_reference_data, fresh

from .life import (
    CAUSES,
    FINAL_REPORT,
    FINALS,
    PROTECTED,
    TABLE,
    S,
    actor_for,
    cadre_draft,
    drive,
    entries,
    evaluation_vote_all,
    fingerprint,
    head_draft,
    minutes_file,
    prepare,
    spec_may,
    spec_visible,
)

pytestmark = pytest.mark.django_db

# api.md, "Transition inputs" (the others take none).
API_INPUTS = {
    "submit": set(),
    "withdraw": {"reason"},
    "open_review": set(),
    "return_for_revision": {"comment"},
    "escalate": {"reason"},
    # Amendment 2026-11-29: the collective's assessment of each Art. 5(1) condition.
    "approve": {
        "mode",
        "override_reason",
        "assessment_bottleneck",
        "assessment_common_good",
        "assessment_urgent_need",
        "assessment_reform",
    },
    "reject": {"reasons"},
    "start": set(),
    "suspend": {"reason"},
    "resume": set(),
    "terminate": {"reason"},
    "complete": set(),
    "submit_final_report": {"report", "kpi_values"},
    "evaluate": {
        "outcome",
        "causes_objective",
        "causes_subjective",
        "meeting_date",
        "minutes",
        "override_reason",
    },
    "decide_responsibility": {
        "author",
        "decision",
        "followed_approved_plan",
        "pure_motive",
        "common_interest",
        "no_personal_gain",
        "damage",
        "damage_amount",
        "reasons",
    },
    "refer_abuse": {"grounds", "evidence"},
    "conclude_abuse": {"finding", "conclusion"},
    "institutionalize": {"title", "issuing_level"},
}
# Amendment 2026-11-29: `replicate` is no transition of the API; it fires when the competent
# authority approves the organization board's request (POST /proposals/{id}/requests/, then
# POST /requests/{id}/decision/: test_the_board_proposes_and_the_authority_decides_by_the_api).
# Fired by another endpoint: the authority's approval of a request, the resolution of a complaint.
ON_REQUEST = {"replicate", "revise_responsibility"}
OPTIONAL = {
    "override_reason",
    "damage_amount",
    "author",  # decide_responsibility: left out, the same decision on every author not yet decided
}  # approve's assessment of each Art. 5(1) condition is required (issue 11, point 7)
ERROR_KEYS = {"detail", "code", "errors"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, path, data=None):
    """JSON, or multipart when a file is sent (the evaluation's minutes)."""
    if any(hasattr(value, "read") for value in (data or {}).values()):
        return client.post(path, data)
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def fire_path(proposal, name):
    return f"/api/v1/proposals/{proposal.pk}/transitions/{name}/"


def json_inputs(org, proposal, name):
    """Valid inputs of `name` as a JSON client sends them, under api.md's names."""
    p = Proposal.objects.get(pk=proposal.pk)
    return {
        "withdraw": {"reason": "Rút lại."},
        "return_for_revision": {"comment": "Bổ sung."},
        "escalate": {"reason": "Vượt thẩm quyền."},
        "approve": {"mode": "implementation", **CONDITIONS_MET},
        "reject": {"reasons": "Chưa khả thi."},
        "suspend": {"reason": "Rà soát."},
        "terminate": {"reason": "Kết thúc sớm."},
        "submit_final_report": {
            "report": FINAL_REPORT,
            "kpi_values": [{"kpi": k.pk, "value": FINALS[k.name]} for k in p.plan.kpis.all()]
            if hasattr(p, "plan")
            else [],
        },
        "evaluate": {
            "outcome": "partial",
            **CAUSES,
            "meeting_date": str(timezone.localdate()),
            "minutes": minutes_file(),
        },
        "decide_responsibility": {
            "decision": "reduced",
            **PROTECTED,
            "damage": True,
            "damage_amount": "50000000",
            "reasons": "Làm đúng kế hoạch.",
        },
        "refer_abuse": {"grounds": "Nghị định 73, Điều 6.", "evidence": "Biên bản kiểm tra."},
        "conclude_abuse": {"finding": "unfounded", "conclusion": "Không có căn cứ."},
        "institutionalize": {"title": "Quy chế một cửa số", "issuing_level": "province"},
    }.get(name, {})


FROM = {
    "submit": S.RETURNED,
    "withdraw": S.UNDER_REVIEW,
    "open_review": S.SUBMITTED,
    "return_for_revision": S.SUBMITTED,
    "escalate": S.UNDER_REVIEW,
    "approve": S.UNDER_REVIEW,
    "reject": S.UNDER_REVIEW,
    "start": S.APPROVED,
    "suspend": S.IN_PROGRESS,
    "resume": S.SUSPENDED,
    "terminate": S.IN_PROGRESS,
    "complete": S.IN_PROGRESS,
    "submit_final_report": S.ENDED,
    "evaluate": S.EVALUATING,
    "decide_responsibility": S.RESPONSIBILITY_REVIEW,
    "refer_abuse": S.EVALUATING,
    "conclude_abuse": S.ABUSE_REVIEW,
    "institutionalize": S.REPLICATED,
}
TARGET = {
    "evaluate": S.RESPONSIBILITY_REVIEW,
    "conclude_abuse": S.IN_PROGRESS,  # unfounded: back to where it was referred from
    "decide_responsibility": S.REDUCED,
}


def test_the_registry_takes_exactly_the_inputs_api_md_names():
    assert (
        {spec.name for spec in registry.all_specs()} == set(API_INPUTS) == set(TABLE) - ON_REQUEST
    )
    for name, fields in API_INPUTS.items():
        described = {f["name"]: f["required"] for f in registry.get(name).describe_fields()}
        assert set(described) == fields, name
        assert {f for f, required in described.items() if not required} == fields & OPTIONAL


@pytest.mark.parametrize("name", list(FROM))
def test_each_transition_fires_through_the_api_with_api_md_inputs(org, name):
    proposal = drive(org, cadre_draft(org), FROM[name])
    prepare(org, proposal, name, outcome="partial")  # the outcome of json_inputs' evaluate
    before = len(entries(proposal))
    actor = actor_for(org, proposal, name)
    answer = post(client_for(actor), fire_path(proposal, name), json_inputs(org, proposal, name))
    assert answer.status_code == 200, answer.json()
    target = TARGET.get(name, next(iter(TABLE[name][1])))
    assert answer.json()["state"] == target
    assert answer.json()["id"] == proposal.pk
    assert len(entries(proposal)) == before + 1
    assert entries(proposal)[-1].event == name


@pytest.mark.parametrize("name", [n for n, fields in API_INPUTS.items() if fields])
def test_missing_inputs_answer_400_with_field_errors_and_write_nothing(org, name):
    proposal = drive(org, cadre_draft(org), FROM[name])
    prepare(org, proposal, name)
    before = fingerprint()
    answer = post(client_for(actor_for(org, proposal, name)), fire_path(proposal, name), {})
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert API_INPUTS[name] - OPTIONAL <= set(body["errors"]), body["errors"]
    assert fingerprint() == before


STATES_TO_LIST = [
    (S.DRAFT, "cadre"),
    (S.SUBMITTED, "cadre"),
    (S.UNDER_REVIEW, "head"),
    (S.RETURNED, "cadre"),
    (S.APPROVED, "head"),
    (S.IN_PROGRESS, "head"),
    (S.SUSPENDED, "cadre"),
    (S.ENDED, "head"),
    (S.EVALUATING, "head"),
    (S.RESPONSIBILITY_REVIEW, "cadre"),
    (S.SUCCEEDED, "cadre"),
    (S.REPLICATED, "head"),
    (S.HELD_RESPONSIBLE, "cadre"),
    (S.RESPONSIBILITY_DECIDED, "cadre"),
    (S.REFERRED, "cadre"),
    (S.ABUSE_REVIEW, "head"),
    (S.INSTITUTIONALIZED, "cadre"),
]


@pytest.mark.parametrize(("state", "kind"), STATES_TO_LIST)
def test_the_transitions_list_is_exactly_what_lifecycle_md_lets_the_user_fire(org, state, kind):
    """By state and role (the table's "from" and "who"); requirements still to be met (a
    missing opinion, plan or vote) do not hide a transition — see the report."""
    proposal = drive(org, (head_draft if kind == "head" else cadre_draft)(org), state)
    diff = []
    for uname in org.people:
        user = getattr(org, uname)
        answer = client_for(user).get(f"/api/v1/proposals/{proposal.pk}/transitions/")
        if not spec_visible(user, proposal):
            assert answer.status_code == 404
            assert set(answer.json()) == ERROR_KEYS
            continue
        listed = {t["name"] for t in answer.json()}
        expected = {
            name
            for name, (sources, _t, _w) in TABLE.items()
            if name not in ON_REQUEST
            and state in sources
            and spec_may(user, proposal, name)
            # escalate needs a superior unit: not offered where there is none
            and not (name == "escalate" and proposal.deciding_unit.depth == 1)
        }
        if listed != expected:
            diff.append((uname, sorted(listed), sorted(expected)))
        for item in answer.json():
            assert {"name", "label", "fields"} <= set(item)
            assert {f["name"] for f in item["fields"]} == API_INPUTS[item["name"]]
    assert diff == []


def test_error_bodies_and_statuses(org):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    cases = [
        # who, transition, status, code
        (org.c_head, "approve", 404, "not_found"),  # not visible
        (org.deputy1, "approve", 403, "forbidden"),  # visible, not the head
        (org.cadre, "complete", 409, "wrong_state"),  # the author, in the wrong state
        (org.head, "approve", 400, "invalid"),  # no mode
        (org.head, "no_such_transition", 404, "not_found"),
    ]
    for user, name, status, code in cases:
        before = fingerprint()
        answer = post(client_for(user), fire_path(proposal, name), {})
        assert (answer.status_code, answer.json()["code"]) == (status, code), name
        assert set(answer.json()) == ERROR_KEYS
        assert fingerprint() == before


def test_the_votes_answer_the_tally(org):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    path = f"/api/v1/proposals/{proposal.pk}/votes/"
    assert post(client_for(org.head), path, {"choice": "for"}).status_code == 200
    tally = post(client_for(org.deputy1), path, {"choice": "against"}).json()
    assert {"eligible", "for", "against", "abstain", "passed", "votes"} <= set(tally)
    assert (tally["eligible"], tally["for"], tally["against"], tally["abstain"]) == (3, 1, 1, 0)
    assert tally["passed"] is False
    tally = post(client_for(org.deputy2), path, {"choice": "for"}).json()
    assert (tally["for"], tally["passed"]) == (2, True)
    # Amendment 2026-11-29: outside the voting collective, only that voting is under way.
    seen_by_party = client_for(org.party).get(path).json()
    assert seen_by_party["secret"] is True and seen_by_party["for"] is None
    bad = post(client_for(org.deputy2), path, {"choice": "maybe"})
    assert bad.status_code == 400 and "choice" in bad.json()["errors"]


def test_the_opinions_take_stage_stance_text_and_the_committees_reference(org):
    proposal = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    path = f"/api/v1/proposals/{proposal.pk}/opinions/"
    data = {"stage": "decision", "stance": "agree_with_conditions", "text": "Có điều kiện."}
    # Amendment 2026-11-29: the committee's document number and date and its signer, required.
    refused = post(client_for(org.party), path, data)
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {
        "document_number",
        "document_date",
        "signer_name",
        "signer_title",
    }
    data |= committee_reference_data()
    answer = post(client_for(org.party), path, data)
    assert answer.status_code == 201
    assert {k: answer.json()[k] for k in data} == data
    listed = client_for(org.head).get(path).json()
    assert set(listed) == {"count", "next", "previous", "results"}
    assert listed["results"][0]["stance"] == "agree_with_conditions"


def test_the_ledger_and_its_verification(org):
    proposal = drive(org, cadre_draft(org), S.SUCCEEDED)
    client = client_for(org.cadre)
    answer = client.get(f"/api/v1/proposals/{proposal.pk}/ledger/", {"page_size": 5}).json()
    assert set(answer) == {"count", "next", "previous", "results"}
    # The author is outside the voting collective: the ballots are left out of their ledger.
    seen = [e for e in entries(proposal) if e.event not in ("vote", "evaluation_vote")]
    assert answer["count"] == len(seen) and len(answer["results"]) == 5
    first = answer["results"][0]
    assert set(first) == {
        "seq",
        "at",
        "actor",
        "event",
        "from_state",
        "to_state",
        "payload",
        "dossier_hash",
        "prev_hash",
        "hash",
    }
    assert (first["seq"], first["event"], first["from_state"], first["to_state"]) == (
        1,
        "submit",
        "draft",
        "submitted",
    )
    verify = client.get(f"/api/v1/proposals/{proposal.pk}/ledger/verify/").json()
    assert set(verify) == {
        "valid",
        "entries",
        "head",
        "first_bad_seq",
        "record_kind",
        "record_label",
        "problem",
    }
    assert (verify["valid"], verify["entries"], verify["first_bad_seq"]) == (
        True,
        len(entries(proposal)),
        None,
    )
    assert verify["head"] == entries(proposal)[-1].hash


def test_lists_are_paginated_up_to_100(org):
    for _ in range(3):
        drive(org, cadre_draft(org), S.SUBMITTED)
    client = client_for(org.head)
    page = client.get("/api/v1/proposals/", {"page_size": 2}).json()
    assert set(page) == {"count", "count_capped", "next", "previous", "results"}
    assert (page["count"], len(page["results"]), page["previous"]) == (3, 2, None)
    assert "cursor=" in page["next"]  # issue 12: keyset pages; `page=` still numbers them
    numbered = client.get("/api/v1/proposals/", {"page_size": 2, "page": 1}).json()
    assert "page=2" in numbered["next"]
    assert client.get("/api/v1/proposals/", {"page_size": 1000}).status_code == 200


def test_awaiting_me_lists_every_ballot_the_collective_owes(org):
    """api.md `awaiting_me=true` (the user must act): a member of the leadership collective must
    vote on the decision and, since the amendment of 2026-11-29 (Art. 18), on the evaluation of
    the results; once their ballot is cast, or for anyone outside the collective, it is not
    listed."""
    decision = drive(org, cadre_draft(org), S.UNDER_REVIEW)
    results = drive(org, cadre_draft(org), S.EVALUATING)

    def awaiting(user):
        answer = client_for(user).get("/api/v1/proposals/", {"awaiting_me": "true"}).json()
        return {p["code"] for p in answer["results"]}

    assert awaiting(org.deputy1) == {decision.code, results.code}
    evaluation_vote_all(org, results)
    proposals.vote_cast(proposal=fresh(decision), actor=org.deputy1, choice="for")
    assert awaiting(org.deputy1) == set()
    assert awaiting(org.c_deputy) == set() and awaiting(org.p_deputy) == set()
    assert results.code not in awaiting(org.cadre)


def test_escalate_is_not_offered_where_there_is_no_superior_unit(org):
    """api.md: `GET /transitions/` lists "the transitions this user may fire now". A missing
    opinion or vote can still be supplied; a root unit's missing parent cannot."""
    proposal = drive(org, head_draft(org), S.UNDER_REVIEW)  # decided in the province, the root
    client = client_for(org.p_head)
    assert post(client, fire_path(proposal, "escalate"), {"reason": "x"}).status_code == 400
    listed = {t["name"] for t in client.get(f"/api/v1/proposals/{proposal.pk}/transitions/").json()}
    assert "escalate" not in listed


# --- the board proposes, the competent authority decides (amendment 2026-11-29) -----------------


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("kind", ["recognition", "replication"])
def test_the_board_proposes_and_the_authority_decides_by_the_api(org, kind):
    """Who: the board over the home unit proposes (others 403, other subtrees 404); the standing
    committee decides (the board, the heads, the authors 403); wrong state 409, bad input 400;
    nothing written on a refusal."""
    proposal = drive(org, cadre_draft(org), S.SUCCEEDED)
    url = f"/api/v1/proposals/{proposal.pk}/requests/"
    inputs = {"kind": kind, "grounds": "Mô hình hiệu quả."}
    inputs |= (
        {"recognition_kind": "praise"}
        if kind == "recognition"
        else {"target_units": [org.commune.pk]}
    )
    before = fingerprint()
    for user in (org.head, org.p_head, org.p_standing, org.cadre, org.c_board, org.o_board):
        code = 403 if spec_visible(user, proposal) else 404
        assert _api(user).post(url, inputs, format="json").status_code == code, user
    bad = _api(org.p_board).post(url, {**inputs, "grounds": ""}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == ERROR_KEYS
    assert fingerprint() == before
    answer = _api(org.p_board).post(url, inputs, format="json")
    assert answer.status_code == 201
    assert fresh_state(proposal) == S.SUCCEEDED  # proposed, not decided
    decision = f"/api/v1/requests/{answer.json()['id']}/decision/"
    before = fingerprint()
    # The province is the root: no unit above whose head could decide; its standing committee
    # alone does.
    for user in (org.p_board, org.a_board, org.head, org.p_head, org.cadre, org.c_head):
        code = 403 if spec_visible(user, proposal) else 404
        assert _api(user).post(decision, {"decision": "approve"}).status_code == code, user
    assert _api(org.p_standing).post(decision, {"decision": "maybe"}).status_code == 400
    assert _api(org.p_standing).post(decision, {"decision": "refuse"}).status_code == 400
    assert fingerprint() == before
    assert _api(org.p_standing).post(decision, {"decision": "approve"}).status_code == 200
    assert _api(org.p_standing).post(decision, {"decision": "approve"}).status_code == 409
    expected = S.REPLICATED if kind == "replication" else S.SUCCEEDED
    assert fresh_state(proposal) == expected
    event = "replicate" if kind == "replication" else "recognition"
    assert entries(proposal)[-1].event == event
    assert entries(proposal)[-1].actor_id == org.p_standing.pk


def test_a_request_before_success_is_a_conflict(org):
    proposal = drive(org, cadre_draft(org), S.EVALUATING)
    answer = _api(org.p_board).post(
        f"/api/v1/proposals/{proposal.pk}/requests/",
        {"kind": "recognition", "recognition_kind": "praise", "grounds": "x"},
        format="json",
    )
    assert answer.status_code == 409


def fresh_state(proposal):
    return Proposal.objects.get(pk=proposal.pk).state
