"""The abuse case's page and API: the referral, the authors' explanations, the finding (through the
generic transition page / endpoint)."""

import json

import pytest
from django.test import Client

from ledger.models import LedgerEntry
from proposals.models import State
from reviews import services
from reviews.models import AbuseCase, AbuseExplanation
from tests.factories.proposals import fresh
from tests.factories.reviews import succeeded

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def heard(org, proposal):
    done = succeeded(proposal, head=org.head, party=org.party)
    services.proposal_refer_abuse(
        proposal=fresh(done),
        actor=org.agency_inspector,
        grounds="Nghị định 73, Điều 6.",
        evidence="Đơn phản ánh của người dân.",
    )
    return fresh(done)


class TestPage:
    def test_an_author_reads_the_case_and_explains(self, org, heard):
        client = client_for(org.cadre)
        page = client.get(f"/reviews/{heard.pk}/abuse/").content.decode()
        assert "Đơn phản ánh của người dân." in page and "Nghị định 73, Điều 6." in page
        assert f'action="/reviews/{heard.pk}/abuse/explain/"' in page
        answer = client.post(f"/reviews/{heard.pk}/abuse/explain/", {"text": "Tôi giải trình."})
        assert answer.status_code == 302
        assert AbuseExplanation.objects.get().author == org.cadre
        page = client.get(f"/reviews/{heard.pk}/abuse/").content.decode()
        assert "Tôi giải trình." in page
        assert f'action="/reviews/{heard.pk}/abuse/explain/"' not in page  # once

    def test_an_empty_explanation_is_a_400_and_writes_nothing(self, org, heard):
        before = LedgerEntry.objects.count()
        answer = client_for(org.cadre).post(f"/reviews/{heard.pk}/abuse/explain/", {"text": ""})
        assert answer.status_code == 400
        assert LedgerEntry.objects.count() == before

    def test_roles_and_states(self, org, heard, proposal):
        path = f"/reviews/{heard.pk}/abuse/explain/"
        assert client_for(org.head).post(path, {"text": "x"}).status_code == 403
        assert client_for(org.commune_head).post(path, {"text": "x"}).status_code == 404
        assert client_for(org.commune_head).get(f"/reviews/{heard.pk}/abuse/").status_code == 404
        for author in (org.cadre, org.cadre2):
            services.abuse_explain(proposal=fresh(heard), actor=author, text="Giải trình.")
        services.proposal_conclude_abuse(
            proposal=fresh(heard), actor=org.inspector, finding="unfounded", conclusion="Không."
        )
        assert client_for(org.cadre).post(path, {"text": "x"}).status_code == 409

    def test_the_inspector_above_is_offered_the_finding_once_the_authors_explained(
        self, org, heard
    ):
        page = client_for(org.inspector).get(f"/reviews/{heard.pk}/abuse/").content.decode()
        assert "disabled" in page and "Lê Văn Đức" in page  # still waiting for cadre2
        for author in (org.cadre, org.cadre2):
            services.abuse_explain(proposal=fresh(heard), actor=author, text="Giải trình.")
        page = client_for(org.inspector).get(f"/reviews/{heard.pk}/abuse/").content.decode()
        assert f"/proposals/{heard.pk}/actions/conclude_abuse/" in page
        answer = client_for(org.inspector).post(
            f"/proposals/{heard.pk}/actions/conclude_abuse/",
            {"finding": "founded", "conclusion": "Có căn cứ.", "confirmed": "on"},
        )
        assert answer.status_code in (200, 302), answer.content.decode()[:2000]
        assert fresh(heard).state == State.REFERRED
        page = client_for(org.cadre).get(f"/reviews/{heard.pk}/abuse/").content.decode()
        assert "Có căn cứ." in page


class TestApi:
    def test_cases_and_explanation(self, org, heard):
        client = client_for(org.cadre)
        cases = client.get(f"/api/v1/proposals/{heard.pk}/abuse-cases/").json()
        assert len(cases) == 1
        assert (cases[0]["grounds"], cases[0]["finding"]) == ("Nghị định 73, Điều 6.", "")
        path = f"/api/v1/proposals/{heard.pk}/abuse-cases/explanation/"

        def post(user, data):
            return client_for(user).post(path, json.dumps(data), content_type="application/json")

        assert post(org.cadre, {"text": ""}).status_code == 400
        assert post(org.head, {"text": "x"}).status_code == 403
        assert post(org.commune_head, {"text": "x"}).status_code == 404
        answer = post(org.cadre, {"text": "Tôi giải trình."})
        assert answer.status_code == 201 and answer.json()["author"]["username"] == "cadre"
        assert post(org.cadre, {"text": "Lần nữa."}).status_code == 409
        assert client.get(f"/api/v1/proposals/{heard.pk}/abuse-cases/").json()[0]["explanations"][
            0
        ]["text"] == ("Tôi giải trình.")

    def test_the_finding_through_the_transition_endpoint(self, org, heard):
        path = f"/api/v1/proposals/{heard.pk}/transitions/conclude_abuse/"
        data = json.dumps({"finding": "unfounded", "conclusion": "Không có căn cứ."})
        answer = client_for(org.inspector).post(path, data, content_type="application/json")
        assert answer.status_code == 409  # the authors may still explain
        for author in (org.cadre, org.cadre2):
            services.abuse_explain(proposal=fresh(heard), actor=author, text="Giải trình.")
        answer = client_for(org.agency_inspector).post(path, data, content_type="application/json")
        assert answer.status_code == 403
        answer = client_for(org.inspector).post(path, data, content_type="application/json")
        assert answer.status_code == 200
        assert answer.json()["state"] == State.SUCCEEDED
        assert AbuseCase.objects.get().finding == "unfounded"
