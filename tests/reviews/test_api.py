"""The review stage over HTTP: the transitions through the generic
`POST /proposals/{id}/transitions/{name}/`, and this app's own endpoints and schema."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ledger.models import LedgerEntry
from proposals.models import Proposal, State
from reviews.models import Recognition
from tests.factories.proposals import ProposalFactory, fresh, in_state
from tests.factories.reviews import (
    CAUSES,
    PROTECTED,
    collective_votes,
    decided,
    evaluating,
    in_review,
    minutes,
    recognised,
    replicated,
    succeeded,
)

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def fire(user, proposal, name, data=None):
    return client_for(user).post(
        f"/api/v1/proposals/{proposal.pk}/transitions/{name}/",
        data or {},
        content_type="application/json",
    )


class TestTransitions:
    def test_the_head_sees_and_fires_evaluate(self, org, proposal):
        proposal = collective_votes(evaluating(proposal, party=org.party), "damage")
        names = [
            t["name"]
            for t in client_for(org.head)
            .get(f"/api/v1/proposals/{proposal.pk}/transitions/")
            .json()
        ]
        assert "evaluate" in names and "refer_abuse" in names
        evaluate = next(
            t
            for t in client_for(org.head)
            .get(f"/api/v1/proposals/{proposal.pk}/transitions/")
            .json()
            if t["name"] == "evaluate"
        )
        assert {f["name"] for f in evaluate["fields"]} == {
            "outcome",
            "causes_objective",
            "causes_subjective",
            "meeting_date",
            "minutes",
            "override_reason",
        }
        # The minutes are a file: multipart.
        response = client_for(org.head).post(
            f"/api/v1/proposals/{proposal.pk}/transitions/evaluate/",
            {"outcome": "damage", "meeting_date": YESTERDAY, "minutes": minutes(), **CAUSES},
        )
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == State.RESPONSIBILITY_REVIEW

    def test_decide_responsibility(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        data = {
            "decision": "exempted",
            **PROTECTED,
            "damage": True,
            "damage_amount": "15000000",
            "reasons": "Làm đúng quy trình.",
        }
        assert fire(org.deputy, proposal, "decide_responsibility", data).status_code == 403
        assert fire(org.commune_head, proposal, "decide_responsibility", data).status_code == 404
        assert fire(org.head, proposal, "decide_responsibility", {}).status_code == 400
        response = fire(org.head, proposal, "decide_responsibility", data)
        assert response.status_code == 200
        assert response.json()["state"] == State.EXEMPTED
        assert fire(org.head, proposal, "decide_responsibility", data).status_code == 409

    def test_replicate_is_no_longer_a_transition(self, org, proposal):
        """Only the competent authority's approval of a board's request replicates a model."""
        source = succeeded(proposal, head=org.head, party=org.party)
        before = LedgerEntry.objects.count()
        for user in (org.orgboard, org.agency_board, org.head):
            response = fire(user, source, "replicate", {"target_units": [org.commune.pk]})
            assert response.status_code == 404
        assert LedgerEntry.objects.count() == before
        assert fresh(source).state == State.SUCCEEDED
        assert not Proposal.objects.filter(origin=source).exists()

    def test_refer_and_institutionalize(self, org, proposal):
        running = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        data = {"grounds": "Điều 6.", "evidence": "Chứng cứ"}
        assert fire(org.inspector, running, "refer_abuse", {"evidence": ""}).status_code == 400
        assert fire(org.orgboard, running, "refer_abuse", data).status_code == 403
        assert fire(org.inspector, running, "refer_abuse", data).status_code == 200
        other = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
        other = succeeded(other, head=org.head, party=org.party)
        data = {"title": "Quy chế một cửa", "issuing_level": "unit"}
        assert fire(org.head, other, "institutionalize", data).status_code == 403
        response = fire(org.orgboard, other, "institutionalize", data)
        assert response.status_code == 200
        assert response.json()["state"] == State.INSTITUTIONALIZED


class TestEndpoints:
    def test_review(self, org, proposal):
        proposal = in_review(proposal, head=org.head, party=org.party)
        body = client_for(org.cadre).get(f"/api/v1/proposals/{proposal.pk}/review/").json()
        assert body["proposal"]["state"] == State.RESPONSIBILITY_REVIEW
        assert body["evaluation"]["outcome"] == "damage"
        assert body["evaluation"]["opinion"]["stance"] == "agree"
        assert body["responsibility_decision"] is None
        assert body["due"] is not None
        assert body["protected"] is None
        assert (
            client_for(org.commune_cadre)
            .get(f"/api/v1/proposals/{proposal.pk}/review/")
            .status_code
            == 404
        )

    def test_recognitions_are_read_not_granted(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        url = f"/api/v1/proposals/{proposal.pk}/recognitions/"
        head = client_for(org.head)
        for user in (org.head, org.orgboard):
            response = client_for(user).post(
                url, {"kind": "praise"}, content_type="application/json"
            )
            assert response.status_code == 405
        assert Recognition.objects.count() == 0
        recognised(proposal, board=org.orgboard, kind="early_salary_raise", recipients=[org.cadre])
        body = head.get(url).json()
        assert body["count"] == 1
        assert body["results"][0]["recipient"]["username"] == "cadre"
        assert client_for(org.commune_head).get(url).status_code == 404

    def test_lesson_publication(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        url = f"/api/v1/proposals/{proposal.pk}/lesson/"
        head = client_for(org.head)
        assert head.post(url, {}, content_type="application/json").status_code == 400
        assert client_for(org.cadre).post(url, {"lessons": "x"}).status_code == 403
        response = head.post(url, {"lessons": "Bài học"}, content_type="application/json")
        assert response.status_code == 200
        assert response.json()["lessons"] == "Bài học"
        assert fresh(proposal).published_at is not None
        assert head.delete(url).status_code == 204
        assert head.delete(url).status_code == 409

    def test_a_lesson_has_every_field_its_schema_requires(self, org, proposal):
        proposal = decided(proposal, head=org.head, party=org.party)
        head = client_for(org.head)
        head.post(
            f"/api/v1/proposals/{proposal.pk}/lesson/",
            {"lessons": "Bài học"},
            content_type="application/json",
        )
        schema = head.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
        lesson = head.get(f"/api/v1/lessons/{proposal.pk}/").json()
        assert set(lesson) == set(schema["LessonDetail"]["properties"])
        dossier = lesson["dossier"]  # the head sees the proposal: the dossier part too
        for part, component in (
            (lesson["evaluation"], "LessonEvaluation"),
            (dossier, "LessonDossier"),
            # Two authors: one decision each (`responsibility_decision` only when there is one).
            (dossier["responsibility_decisions"][0], "LessonResponsibility"),
        ):
            assert set(part) == set(schema[component]["properties"]), component
            assert set(schema[component]["required"]) <= set(part), component
        assert dossier["responsibility_decision"] is None
        assert [d["protected"] for d in dossier["responsibility_decisions"]] == [True, True]
        reader = client_for(org.commune_cadre).get(f"/api/v1/lessons/{proposal.pk}/").json()
        assert reader["dossier"] is None and reader["lessons"] == "Bài học"

    def test_lesson_before_the_evaluation(self, org, proposal):
        proposal = evaluating(proposal, party=org.party)
        response = client_for(org.head).post(
            f"/api/v1/proposals/{proposal.pk}/lesson/",
            {"lessons": "x"},
            content_type="application/json",
        )
        assert response.status_code == 409

    def test_adoptions(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        replicated(source, board=org.orgboard, target_units=[org.commune.pk])
        body = client_for(org.orgboard).get(f"/api/v1/proposals/{source.pk}/adoptions/").json()
        assert [row["is_source"] for row in body["rows"]] == [True, False]
        assert body["rows"][1]["unit"]["code"] == "P-C"
        assert body["rows"][1]["proposal"]["state"] == State.APPROVED
        assert body["rows"][0]["outcome"] == "Đạt"
        assert body["hidden"] == 0

    def test_adoptions_outside_the_readers_reach_are_only_counted(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        replicated(source, board=org.orgboard, target_units=[org.commune.pk])
        adoption = Proposal.objects.get(origin=source)
        body = client_for(org.head).get(f"/api/v1/proposals/{source.pk}/adoptions/").json()
        assert [row["proposal"]["code"] for row in body["rows"]] == [source.code]
        assert body["hidden"] == 1
        assert adoption.code not in str(body)


def test_the_schema_describes_every_endpoint_and_its_answers():
    from django.test import Client as AnonymousClient

    schema = AnonymousClient().get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    # A write also answers 409 or 422 when sent again with its Idempotency-Key (ops.submissions).
    expected = {
        ("/api/v1/proposals/{id}/review/", "get"): {"200", "401", "404"},
        ("/api/v1/proposals/{id}/recognitions/", "get"): {"200", "401", "404"},
        ("/api/v1/proposals/{id}/adoptions/", "get"): {"200", "401", "404"},
        ("/api/v1/proposals/{id}/lesson/", "post"): {
            "200",
            "400",
            "401",
            "403",
            "404",
            "409",
            "422",
        },
        ("/api/v1/proposals/{id}/lesson/", "delete"): {"204", "401", "403", "404", "409", "422"},
        ("/api/v1/proposals/{id}/dossier/", "get"): {"200", "202", "401", "404", "409"},
        ("/api/v1/dossiers/verify/", "post"): {"200", "400", "401", "404", "409", "422"},
        ("/api/v1/lessons/", "get"): {"200", "400", "401", "404"},
        ("/api/v1/lessons/{id}/", "get"): {"200", "401", "404"},
        ("/api/v1/recognitions/", "get"): {"200", "401", "403", "404"},
        ("/api/v1/dashboard/", "get"): {"200", "400", "401", "403"},
        ("/api/v1/reports/period/", "get"): {"200", "202", "400", "401", "403", "409"},
        ("/api/v1/exports/", "get"): {"200", "401", "404"},
        ("/api/v1/exports/", "post"): {"202", "400", "401", "403", "404", "409", "422"},
        ("/api/v1/exports/{id}/", "get"): {"200", "401", "404"},
        ("/api/v1/exports/{id}/file/", "get"): {"200", "401", "404", "409"},
    }
    for (path, method), codes in expected.items():
        assert set(paths[path][method]["responses"]) == codes, (path, method)
    # Nothing grants a recognition or directs a replication but the authority's decision.
    assert set(paths["/api/v1/proposals/{id}/recognitions/"]) == {"get", "parameters"} or set(
        paths["/api/v1/proposals/{id}/recognitions/"]
    ) == {"get"}
    assert "/api/v1/proposals/{id}/transitions/replicate/" not in paths
    dossier = paths["/api/v1/proposals/{id}/dossier/"]["get"]["responses"]["200"]["content"]
    assert set(dossier) == {"application/pdf"}
    report = paths["/api/v1/reports/period/"]["get"]["responses"]["200"]["content"]
    assert set(report) == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    for name in (
        "evaluate",
        "decide_responsibility",
        "refer_abuse",
        "institutionalize",
    ):
        body = paths[f"/api/v1/proposals/{{id}}/transitions/{name}/"]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"]["$ref"].endswith(
            "TransitionInputRequest"
        )
