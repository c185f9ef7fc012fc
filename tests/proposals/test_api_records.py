"""Votes, Party-committee opinions, frozen versions and their diff, the ledger and its
verification, through the API."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ledger.models import LedgerEntry
from proposals import services
from proposals.hashing import version_hash
from proposals.models import Opinion, Proposal, ProposalVersion, State, Vote
from tests.factories.proposals import (
    CONDITIONS_MET,
    committee_reference,
    committee_reference_data,
    fresh,
    submitted,
    under_review,
)
from tests.ledger.tamper import tampering

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(proposal, suffix) -> str:
    return f"/api/v1/proposals/{proposal.pk}/{suffix}"


def ledger_count(proposal) -> int:
    return LedgerEntry.objects.filter(proposal=proposal).count()


@pytest.fixture
def review(org, draft):
    return under_review(draft, org.cadre, org.head)


# --- votes ---


def test_tally_of_a_fresh_review(org, review):
    body = client_for(org.head).get(url(review, "votes/")).json()
    assert body == {
        "round": 1,
        "secret": False,
        "eligible": 3,  # the head and two deputies
        "for": 0,
        "against": 0,
        "abstain": 0,
        "passed": False,
        "my_vote": None,
        "can_vote": True,
        "votes": [],
    }
    # The author is outside the collective: voting is under way, nothing more (amendment).
    body = client_for(org.cadre).get(url(review, "votes/")).json()
    assert body == {
        "round": 1,
        "secret": True,
        "eligible": 3,
        "for": None,
        "against": None,
        "abstain": None,
        "passed": None,
        "my_vote": None,
        "can_vote": False,
        "votes": [],
    }


def test_cast_and_change_a_vote(org, review):
    client = client_for(org.deputy1)
    assert client.get(url(review, "votes/")).json()["can_vote"] is True
    response = client.post(url(review, "votes/"), {"choice": "against"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["against"], body["my_vote"]) == (1, "against")
    (cast,) = body["votes"]
    assert cast["voter"]["username"] == "deputy1" and cast["choice"] == "against"

    body = client.post(url(review, "votes/"), {"choice": "for"}, format="json").json()
    assert (body["for"], body["against"], body["my_vote"]) == (1, 0, "for")
    body = client_for(org.head).post(url(review, "votes/"), {"choice": "for"}, format="json")
    assert body.json()["passed"] is True
    assert Vote.objects.filter(proposal=review).count() == 2
    events = list(
        LedgerEntry.objects.filter(proposal=review).order_by("seq").values_list("event", "payload")
    )
    assert [e for e, _ in events[-3:]] == ["vote", "vote", "vote"]
    assert events[-2][1] == {"choice": "for", "round": 1, "changed": True}


@pytest.mark.parametrize("who", ["cadre", "party", "inspector", "orgboard"])
def test_only_eligible_leaders_vote(org, review, who):
    before = ledger_count(review)
    response = client_for(getattr(org, who)).post(
        url(review, "votes/"), {"choice": "for"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert ledger_count(review) == before and not Vote.objects.exists()


def test_a_deputy_who_is_an_author_does_not_vote(org, draft):
    services.proposal_update(proposal=draft, actor=org.cadre, co_authors=[org.deputy1])
    proposal = under_review(draft, org.cadre, org.head)
    client = client_for(org.deputy1)
    assert client.get(url(proposal, "votes/")).json()["eligible"] == 2
    response = client.post(url(proposal, "votes/"), {"choice": "for"}, format="json")
    assert response.status_code == 403


def test_votes_only_under_review(org, draft):
    proposal = submitted(draft, org.cadre)
    before = ledger_count(proposal)
    response = client_for(org.deputy1).post(
        url(proposal, "votes/"), {"choice": "for"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"
    assert ledger_count(proposal) == before and not Vote.objects.exists()


@pytest.mark.parametrize("body", [{}, {"choice": "maybe"}, {"choice": ["for"]}])
def test_bad_vote_is_400(org, review, body):
    before = ledger_count(review)
    response = client_for(org.deputy1).post(url(review, "votes/"), body, format="json")
    assert response.status_code == 400 and "choice" in response.json()["errors"]
    assert ledger_count(review) == before and not Vote.objects.exists()


def test_votes_of_another_unit_are_404(org, review):
    client = client_for(org.commune_head)
    assert client.get(url(review, "votes/")).status_code == 404
    assert client.post(url(review, "votes/"), {"choice": "for"}, format="json").status_code == 404


# --- opinions ---

OPINION = {
    "stage": "decision",
    "stance": "agree_with_conditions",
    "text": "Đồng ý, làm rõ kinh phí.",
    **committee_reference_data(),
}


def test_party_committee_records_and_everyone_reads_opinions(org, review):
    before = ledger_count(review)
    response = client_for(org.party).post(url(review, "opinions/"), OPINION, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in OPINION} == OPINION
    assert body["author"]["username"] == "party" and body["unit"]["id"] == org.agency.pk
    assert body["round"] == 1 and body["stance_label"] and body["stage_label"]
    assert ledger_count(review) == before + 1
    entry = LedgerEntry.objects.filter(proposal=review).order_by("-seq").first()
    assert entry.event == "opinion" and entry.payload["stance"] == "agree_with_conditions"

    listed = client_for(org.cadre).get(url(review, "opinions/")).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert client_for(org.cadre).get(url(review, "opinions/?stage=evaluation")).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize("who", ["cadre", "deputy1", "head", "orgboard"])
def test_only_the_deciding_units_party_committee_gives_an_opinion(org, review, who):
    before = ledger_count(review)
    response = client_for(getattr(org, who)).post(url(review, "opinions/"), OPINION, format="json")
    assert response.status_code == 403
    assert ledger_count(review) == before and not Opinion.objects.exists()


def test_opinion_in_the_wrong_state_is_409(org, draft):
    proposal = submitted(draft, org.cadre)
    response = client_for(org.party).post(url(proposal, "opinions/"), OPINION, format="json")
    assert response.status_code == 409
    evaluation = {**OPINION, "stage": "evaluation"}
    services.proposal_open_review(proposal=fresh(proposal), actor=org.head)
    response = client_for(org.party).post(url(proposal, "opinions/"), evaluation, format="json")
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"
    assert not Opinion.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({**OPINION, "stance": "whatever"}, "stance"),
        ({**OPINION, "text": ""}, "text"),
        ({**OPINION, "stage": "lunch"}, "stage"),
        ({"stage": "decision"}, "stance"),
        ({**OPINION, "document_number": ""}, "document_number"),
        ({**OPINION, "document_date": None}, "document_date"),
        ({**OPINION, "document_date": "2099-01-01"}, "document_date"),
        ({**OPINION, "signer_name": "  "}, "signer_name"),
        ({k: v for k, v in OPINION.items() if k != "signer_title"}, "signer_title"),
    ],
)
def test_bad_opinion_is_400(org, review, body, field):
    before = ledger_count(review)
    response = client_for(org.party).post(url(review, "opinions/"), body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert ledger_count(review) == before and not Opinion.objects.exists()


def test_an_opinion_without_its_reference_is_400_with_a_message_per_field(org, review):
    body = {"stage": "decision", "stance": "agree", "text": "Đồng ý."}
    response = client_for(org.party).post(url(review, "opinions/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "document_number": ["Ghi số, ký hiệu văn bản của cấp ủy."],
        "document_date": ["Ghi ngày ban hành văn bản của cấp ủy."],
        "signer_name": ["Ghi họ tên người ký."],
        "signer_title": ["Ghi chức vụ của người ký."],
    }
    assert not Opinion.objects.exists()


def test_an_opinion_in_the_wrong_state_is_409_before_its_inputs(org, draft):
    proposal = submitted(draft, org.cadre)
    response = client_for(org.party).post(url(proposal, "opinions/"), {}, format="json")
    assert response.status_code == 409


def test_opinions_of_another_unit_are_404(org, review):
    client = client_for(org.commune_head)
    assert client.get(url(review, "opinions/")).status_code == 404
    assert client.post(url(review, "opinions/"), OPINION, format="json").status_code == 404


# --- versions and diff ---


@pytest.fixture
def two_versions(org, draft):
    proposal = submitted(draft, org.cadre)
    services.proposal_return_for_revision(proposal=proposal, actor=org.head, comment="Sửa")
    services.proposal_update(
        proposal=fresh(draft),
        actor=org.cadre,
        title="Tiêu đề đã sửa",
        criterion_reform=True,
        scope="Toàn tỉnh và các xã",
        co_authors=[org.cadre2],
    )
    return submitted(fresh(draft), org.cadre)


def test_versions_list_with_hashes(org, two_versions):
    body = client_for(org.head).get(url(two_versions, "versions/")).json()
    assert body["count"] == 2
    assert [v["number"] for v in body["results"]] == [1, 2]
    stored = ProposalVersion.objects.filter(proposal=two_versions).order_by("number")
    assert [v["content_hash"] for v in body["results"]] == [v.content_hash for v in stored]
    assert body["results"][0]["created_by"]["username"] == "cadre"


def test_version_detail_has_its_content_and_a_matching_hash(org, two_versions):
    body = client_for(org.head).get(url(two_versions, "versions/2/")).json()
    assert body["number"] == 2
    assert body["content"]["fields"]["title"] == "Tiêu đề đã sửa"
    assert version_hash(body["content"]) == body["content_hash"]


def test_diff_names_the_changed_fields_with_old_and_new_values(org, two_versions):
    body = client_for(org.head).get(url(two_versions, "versions/1/diff/2/")).json()
    assert body["from_version"]["number"] == 1 and body["to_version"]["number"] == 2
    changes = {c["field"]: c for c in body["changes"]}
    assert set(changes) == {"title", "scope", "authors"}
    assert changes["title"]["new"] == "Tiêu đề đã sửa"
    assert (
        changes["title"]["old"]
        == fresh(two_versions).versions.get(number=1).content["fields"]["title"]
    )
    assert changes["scope"]["new"] == "Toàn tỉnh và các xã" and changes["scope"]["label"]
    assert len(changes["authors"]["new"]) == 2 and len(changes["authors"]["old"]) == 1

    backwards = client_for(org.head).get(url(two_versions, "versions/2/diff/1/")).json()
    assert {c["field"]: c["old"] for c in backwards["changes"]}["title"] == "Tiêu đề đã sửa"
    same = client_for(org.head).get(url(two_versions, "versions/2/diff/2/")).json()
    assert same["changes"] == []


@pytest.mark.parametrize("suffix", ["versions/3/", "versions/1/diff/3/", "versions/0/diff/1/"])
def test_missing_version_is_404(org, two_versions, suffix):
    assert client_for(org.head).get(url(two_versions, suffix)).status_code == 404


# --- ledger and verification ---


def decided(org, review):
    services.opinion_record(
        proposal=fresh(review),
        actor=org.party,
        stage="decision",
        stance="agree",
        text="Đồng ý",
        **committee_reference(),
    )
    services.vote_cast(proposal=fresh(review), actor=org.deputy1, choice="for")
    services.vote_cast(proposal=fresh(review), actor=org.head, choice="for")
    services.proposal_approve(
        proposal=fresh(review), actor=org.head, mode="pilot", **CONDITIONS_MET
    )
    return fresh(review)


def test_ledger_lists_entries_in_order_with_every_field(org, review):
    proposal = decided(org, review)
    author = client_for(org.cadre).get(url(proposal, "ledger/")).json()
    assert [e["seq"] for e in author["results"]] == [1, 2, 3, 6]  # votes are the collective's
    body = client_for(org.head).get(url(proposal, "ledger/")).json()
    assert body["count"] == 6
    entries = body["results"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5, 6]
    assert [e["event"] for e in entries] == [
        "submit",
        "open_review",
        "opinion",
        "vote",
        "vote",
        "approve",
    ]
    assert set(entries[0]) == {
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
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))
    assert entries[-1]["to_state"] == "approved" and entries[-1]["payload"]["mode"] == "pilot"


def test_ledger_is_paginated(org, review):
    proposal = decided(org, review)
    body = client_for(org.head).get(url(proposal, "ledger/?page_size=4&page=2")).json()
    assert body["count"] == 6 and [e["seq"] for e in body["results"]] == [5, 6]


def test_verify_a_sound_chain(org, review):
    proposal = decided(org, review)
    body = client_for(org.head).get(url(proposal, "ledger/verify/")).json()
    head = LedgerEntry.objects.filter(proposal=proposal).order_by("-seq").first().hash
    assert body == {
        "valid": True,
        "entries": 6,
        "head": head,
        "first_bad_seq": None,
        "record_kind": None,
        "record_label": "",
        "problem": "",
    }


def test_verify_names_the_row_changed_behind_the_applications_back(org, review):
    proposal = decided(org, review)
    table = LedgerEntry._meta.db_table
    with tampering() as cursor:  # as a superuser would, past the append-only triggers
        cursor.execute(
            f"UPDATE {table} SET payload = %s WHERE proposal_id = %s AND seq = %s",  # noqa: S608
            ['{"choice": "against", "round": 1, "changed": false}', proposal.pk, 4],
        )
    body = client_for(org.head).get(url(proposal, "ledger/verify/")).json()
    assert body["valid"] is False and body["first_bad_seq"] == 4 and body["entries"] == 6
    # The entry itself was edited: no recorded row is named, the entry is.
    assert body["record_kind"] is None
    assert body["problem"] == "Mục #4 của nhật ký đã bị sửa, chèn, xóa hoặc đổi thứ tự."


def test_verify_notices_a_frozen_version_changed_behind_the_applications_back(org, review):
    table = ProposalVersion._meta.db_table
    with tampering() as cursor:  # as a superuser would, past the append-only triggers
        cursor.execute(
            f"UPDATE {table} SET content = %s WHERE proposal_id = %s",  # noqa: S608
            ['{"fields": {"title": "Khác"}}', review.pk],
        )
    body = client_for(org.head).get(url(review, "ledger/verify/")).json()
    assert body["valid"] is False and body["first_bad_seq"] == 1
    assert (body["record_kind"], body["record_label"]) == (
        "dossier_versions",
        "Phiên bản hồ sơ đã khóa",
    )
    assert body["problem"] == (
        "Bản ghi loại “Phiên bản hồ sơ đã khóa” không còn khớp với mục #1 của nhật ký."
    )


def test_ledger_of_another_unit_is_404(org, review):
    client = client_for(org.commune_head)
    assert client.get(url(review, "ledger/")).status_code == 404
    assert client.get(url(review, "ledger/verify/")).status_code == 404


# --- a fixed number of queries whatever the number of rows ---


def grow(org, proposal, rounds):
    """More ledger entries, votes, opinions and versions on one proposal."""
    for _ in range(rounds):
        services.vote_cast(proposal=fresh(proposal), actor=org.deputy1, choice="for")
        services.vote_cast(proposal=fresh(proposal), actor=org.deputy2, choice="against")
        services.opinion_record(
            proposal=fresh(proposal),
            actor=org.party,
            stage="decision",
            stance="agree",
            text="x",
            **committee_reference(),
        )


@pytest.mark.parametrize(
    "suffix", ["ledger/", "opinions/", "versions/", "votes/", "attachments/", "transitions/"]
)
def test_sub_lists_run_a_fixed_number_of_queries(org, review, suffix):
    counts = []
    for rounds in (1, 6):
        grow(org, review, rounds)
        client = client_for(org.head)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(review, f"{suffix}?page_size=100"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_proposal_itself_is_unchanged_by_reads(org, review):
    before = Proposal.objects.filter(pk=review.pk).values().get()
    for suffix in ["", "votes/", "opinions/", "ledger/", "ledger/verify/", "versions/1/"]:
        client_for(org.head).get(url(review, suffix))
    assert Proposal.objects.filter(pk=review.pk).values().get() == before
    assert fresh(review).state == State.UNDER_REVIEW
