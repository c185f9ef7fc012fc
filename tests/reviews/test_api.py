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
from tests.factories.reviews import CAUSES, PROTECTED, evaluating, in_review, succeeded

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
        proposal = evaluating(proposal, party=org.party)
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
        }
        response = fire(
            org.head,
            proposal,
            "evaluate",
            {"outcome": "damage", "meeting_date": YESTERDAY, **CAUSES},
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

    def test_replicate_outside_the_subtree_is_refused(self, org, proposal):
        source = succeeded(proposal, head=org.head, party=org.party)
        before = LedgerEntry.objects.count()
        response = fire(org.agency_board, source, "replicate", {"target_units": [org.commune.pk]})
        assert response.status_code == 400
        assert "target_units" in response.json()["errors"]
        assert LedgerEntry.objects.count() == before
        assert not Proposal.objects.filter(origin=source).exists()
        response = fire(
            org.orgboard, source, "replicate", {"target_units": [org.commune.pk, org.commune2.pk]}
        )
        assert response.status_code == 200
        assert response.json()["state"] == State.REPLICATED

    def test_refer_and_institutionalize(self, org, proposal):
        running = in_state(proposal, State.IN_PROGRESS, mode="pilot")
        assert fire(org.inspector, running, "refer_abuse", {"evidence": ""}).status_code == 400
        assert fire(org.orgboard, running, "refer_abuse", {"evidence": "x"}).status_code == 403
        assert (
            fire(org.inspector, running, "refer_abuse", {"evidence": "Chứng cứ"}).status_code == 200
        )
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

    def test_recognitions(self, org, proposal):
        proposal = succeeded(proposal, head=org.head, party=org.party)
        url = f"/api/v1/proposals/{proposal.pk}/recognitions/"
        head = client_for(org.head)
        response = head.post(
            url,
            {"kind": "early_salary_raise", "recipients": [org.cadre.pk], "note": "QĐ 15"},
            content_type="application/json",
        )
        assert response.status_code == 201
        assert [r["recipient"]["username"] for r in response.json()] == ["cadre"]
        assert head.get(url).json()["count"] == 1
        bad = head.post(url, {"kind": "medal"}, content_type="application/json")
        assert bad.status_code == 400
        assert client_for(org.deputy).post(url, {"kind": "praise"}).status_code == 403
        assert client_for(org.commune_head).post(url, {"kind": "praise"}).status_code == 404
        again = head.post(url, {"kind": "early_salary_raise"}, content_type="application/json")
        assert again.status_code == 400
        assert Recognition.objects.count() == 1

    def test_recognition_in_the_wrong_state(self, org, proposal):
        proposal = evaluating(proposal, party=org.party)
        response = client_for(org.head).post(
            f"/api/v1/proposals/{proposal.pk}/recognitions/",
            {"kind": "praise"},
            content_type="application/json",
        )
        assert response.status_code == 409

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
        fire(org.orgboard, source, "replicate", {"target_units": [org.commune.pk]})
        body = client_for(org.orgboard).get(f"/api/v1/proposals/{source.pk}/adoptions/").json()
        assert [row["is_source"] for row in body["rows"]] == [True, False]
        assert body["rows"][1]["unit"]["code"] == "P-C"
        assert body["rows"][1]["proposal"]["state"] == State.APPROVED
        assert body["rows"][0]["outcome"] == "Đạt"


def test_the_schema_describes_every_endpoint_and_its_answers():
    from django.test import Client as AnonymousClient

    schema = AnonymousClient().get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/proposals/{id}/review/", "get"): {"200", "401", "404"},
        ("/api/v1/proposals/{id}/recognitions/", "post"): {
            "201",
            "400",
            "401",
            "403",
            "404",
            "409",
        },
        ("/api/v1/proposals/{id}/adoptions/", "get"): {"200", "401", "404"},
        ("/api/v1/proposals/{id}/lesson/", "post"): {"200", "400", "401", "403", "404", "409"},
        ("/api/v1/proposals/{id}/lesson/", "delete"): {"204", "401", "403", "404", "409"},
        ("/api/v1/proposals/{id}/dossier/", "get"): {"200", "401", "404", "409"},
        ("/api/v1/dossiers/verify/", "post"): {"200", "400", "401", "404"},
        ("/api/v1/lessons/", "get"): {"200", "400", "401"},
        ("/api/v1/lessons/{id}/", "get"): {"200", "401", "404"},
        ("/api/v1/recognitions/", "get"): {"200", "401", "403", "404"},
        ("/api/v1/dashboard/", "get"): {"200", "400", "401", "403"},
        ("/api/v1/reports/period/", "get"): {"200", "400", "401", "403"},
    }
    for (path, method), codes in expected.items():
        assert set(paths[path][method]["responses"]) == codes, (path, method)
    transition = paths["/api/v1/proposals/{id}/transitions/{name}/"]["post"]
    names = next(p for p in transition["parameters"] if p["name"] == "name")["schema"]["enum"]
    assert {
        "evaluate",
        "decide_responsibility",
        "refer_abuse",
        "replicate",
        "institutionalize",
    } <= set(names)
