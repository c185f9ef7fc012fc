"""The API through a real WSGI server (pytest-django's live_server) with a real HTTP client:
create, submit, review, opinion, votes and the decision, as separate people with their tokens.
The test client skips the server; this does not, so server-level defects show up here — a
`Location` header that is not a plain string answered 500 under a real server after writing the
row (issue 10)."""

import pytest
import requests

from ledger.models import LedgerEntry
from proposals.models import Proposal, State
from tests.factories.proposals import CONDITIONS_MET, PLAN, committee_reference_data
from tests.factories.units import grant
from units.models import Role

PASSWORD = "secret-pass-123"  # the password of tests.factories.UserFactory
TIMEOUT = 30


@pytest.fixture
def people(tree, transactional_db):
    agency = tree["agency"]
    return {
        "cadre": grant(agency, Role.CADRE, username="canbo"),
        "head": grant(agency, Role.HEAD, username="giamdoc"),
        "deputy1": grant(agency, Role.DEPUTY, username="phogd1"),
        "deputy2": grant(agency, Role.DEPUTY, username="phogd2"),
        "party": grant(agency, Role.PARTY_COMMITTEE, username="capuy"),
        "agency": agency,
    }


class Client:
    """One person talking to the server over HTTP with their token."""

    def __init__(self, base, username):
        self.base = f"{base}/api/v1"
        self.http = requests.Session()
        answer = self.http.post(
            f"{self.base}/auth/token/",
            json={"username": username, "password": PASSWORD},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200, answer.text
        self.http.headers["Authorization"] = f"Token {answer.json()['token']}"

    def post(self, path, body=None, expect=200):
        answer = self.http.post(f"{self.base}{path}", json=body or {}, timeout=TIMEOUT)
        assert answer.status_code == expect, (path, answer.status_code, answer.text[:500])
        assert answer.headers["Content-Type"].startswith("application/json")
        return answer

    def get(self, url, expect=200):
        url = url if url.startswith("http") else f"{self.base}{url}"
        answer = self.http.get(url, timeout=TIMEOUT)
        assert answer.status_code == expect, (url, answer.status_code, answer.text[:500])
        return answer


def test_a_proposal_is_created_submitted_voted_and_decided_over_http(live_server, people):
    cadre = Client(live_server.url, "canbo")
    head = Client(live_server.url, "giamdoc")
    party = Client(live_server.url, "capuy")

    created = cadre.post(
        "/proposals/",
        {
            "title": "Một cửa liên thông điện tử",
            "field": "administrative_reform",
            "home_unit": people["agency"].pk,
            **PLAN,
        },
        expect=201,
    )
    location = created.headers["Location"]
    assert location.startswith(f"{live_server.url}/api/v1/proposals/")
    assert Proposal.objects.count() == 1  # written once, answered 201
    pk = created.json()["id"]
    assert cadre.get(location).json()["id"] == pk
    assert "submit" in {t["name"] for t in cadre.get(f"/proposals/{pk}/transitions/").json()}

    assert cadre.post(f"/proposals/{pk}/transitions/submit/").json()["state"] == "submitted"
    assert head.post(f"/proposals/{pk}/transitions/open_review/").json()["state"] == (
        "under_review"
    )
    # Approving before the Party committee's opinion is refused and changes nothing.
    approval = {"mode": "pilot", **CONDITIONS_MET}
    refused = head.post(f"/proposals/{pk}/transitions/approve/", approval, expect=400)
    assert "opinion" in refused.json()["errors"]
    opinion = {"stage": "decision", "stance": "agree", "text": "Cấp ủy đồng ý chủ trương."}
    refused = party.post(f"/proposals/{pk}/opinions/", opinion, expect=400)
    assert "document_number" in refused.json()["errors"]
    party.post(f"/proposals/{pk}/opinions/", {**opinion, **committee_reference_data()}, expect=201)
    for voter in (head, Client(live_server.url, "phogd1"), Client(live_server.url, "phogd2")):
        voter.post(f"/proposals/{pk}/votes/", {"choice": "for"})
    tally = head.get(f"/proposals/{pk}/votes/").json()
    assert tally["passed"] is True

    decided = head.post(f"/proposals/{pk}/transitions/approve/", approval).json()
    assert (decided["state"], decided["mode"]) == ("approved", "pilot")
    assert Proposal.objects.get().state == State.APPROVED
    verify = cadre.get(f"/proposals/{pk}/ledger/verify/").json()
    assert verify["valid"] is True
    events = list(
        LedgerEntry.objects.filter(proposal_id=pk).order_by("seq").values_list("event", flat=True)
    )
    assert verify["entries"] == len(events)
    # The decision is issued as an official document (Decree 30 format) in the same breath.
    assert events == [
        "submit", "open_review", "opinion", "vote", "vote", "vote", "approve",
        "document_issue",
    ]  # fmt: skip
