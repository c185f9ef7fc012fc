"""The pages and API of the requests to the competent authority: the board's form on the review
page, the queue and the request page of those who decide, the decision and withdrawal forms, and
the API; lists in a fixed number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews import board_requests as requests
from reviews.models import BoardRequest, Recognition, RequestState
from tests.factories.proposals import ProposalFactory, fresh
from tests.factories.reviews import succeeded
from tests.factories.units import grant
from units.models import Role

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def standing(org):
    return grant(org.province, Role.STANDING_COMMITTEE, username="standing")


@pytest.fixture
def success(org, proposal):
    return succeeded(proposal, head=org.head, party=org.party)


def praise(org, proposal, kind="praise"):
    return requests.recognition_propose(
        proposal=fresh(proposal), actor=org.orgboard, kind=kind, grounds="Hiệu quả rõ rệt."
    )


def test_the_board_proposes_from_the_review_page(org, success, standing):
    board = client_for(org.orgboard)
    page = board.get(f"/reviews/{success.pk}/").content.decode()
    assert "Đề nghị ghi nhận, khuyến khích" in page
    response = board.post(
        f"/reviews/{success.pk}/recognition-requests/",
        {"kind": "reward", "recipients": [org.cadre.pk], "grounds": "Tiết kiệm 30% thời gian."},
    )
    assert response.status_code == 302
    request = BoardRequest.objects.get()
    assert (request.state, request.recognition_kind) == (RequestState.PENDING, "reward")
    assert Recognition.objects.count() == 0
    page = board.get(f"/reviews/{success.pk}/").content.decode()
    assert "Chờ quyết định" in page


def test_the_board_form_refuses_bad_input_and_wrong_roles(org, success, standing):
    response = client_for(org.orgboard).post(
        f"/reviews/{success.pk}/recognition-requests/", {"kind": "praise", "grounds": ""}
    )
    assert response.status_code == 400
    assert BoardRequest.objects.count() == 0
    response = client_for(org.cadre).post(
        f"/reviews/{success.pk}/recognition-requests/", {"kind": "praise", "grounds": "x"}
    )
    assert response.status_code == 403
    response = client_for(org.commune_board).post(
        f"/reviews/{success.pk}/recognition-requests/", {"kind": "praise", "grounds": "x"}
    )
    assert response.status_code == 404


def test_the_standing_committee_decides_from_its_queue(org, success, standing):
    request = praise(org, success)
    client = client_for(standing)
    queue = client.get("/reviews/requests/").content.decode()
    assert f"/reviews/requests/{request.pk}/" in queue
    page = client.get(f"/reviews/requests/{request.pk}/").content.decode()
    assert "Quyết định của đồng chí" in page
    response = client.post(
        f"/reviews/requests/{request.pk}/decision/", {"decision": "refuse", "reason": ""}
    )
    assert response.status_code == 400
    response = client.post(
        f"/reviews/requests/{request.pk}/decision/", {"decision": "approve", "reason": "Đồng ý."}
    )
    assert response.status_code == 302
    assert Recognition.objects.filter(request=request).count() == 2
    response = client.post(
        f"/reviews/requests/{request.pk}/decision/", {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 409


def test_the_board_withdraws_and_others_may_not_decide(org, success, standing):
    request = praise(org, success)
    assert (
        client_for(org.orgboard)
        .post(f"/reviews/requests/{request.pk}/decision/", {"decision": "approve"})
        .status_code
        == 403
    )
    assert client_for(org.commune_head).get(f"/reviews/requests/{request.pk}/").status_code == 404
    assert client_for(org.cadre).get("/reviews/requests/").status_code == 403
    response = client_for(org.orgboard).post(f"/reviews/requests/{request.pk}/withdrawal/", {})
    assert response.status_code == 302
    assert BoardRequest.objects.get().state == RequestState.WITHDRAWN


def test_the_request_page_links_to_the_list_only_for_those_who_may_open_it(org, success, standing):
    """The proposal's author follows the request from its page, but the list of requests is for
    the authorities and the boards: no link to a page answering 403."""
    request = praise(org, success)
    link = 'href="/reviews/requests/"'
    author = client_for(org.cadre)
    page = author.get(f"/reviews/requests/{request.pk}/")
    assert page.status_code == 200
    assert link not in page.content.decode()
    assert author.get("/reviews/requests/").status_code == 403
    for user in (org.orgboard, standing):
        client = client_for(user)
        assert link in client.get(f"/reviews/requests/{request.pk}/").content.decode()
        assert client.get("/reviews/requests/").status_code == 200


def test_the_board_proposes_replication_from_the_replication_page(org, success, standing):
    board = client_for(org.orgboard)
    page = board.get(f"/reviews/{success.pk}/replication/").content.decode()
    assert "Đề nghị cấp có thẩm quyền nhân rộng mô hình" in page
    response = board.post(
        f"/reviews/{success.pk}/replication-requests/",
        {"target_units": [org.commune.pk], "grounds": "Điều kiện tương đồng."},
    )
    assert response.status_code == 302
    request = BoardRequest.objects.get()
    assert list(request.target_units.all()) == [org.commune]
    assert fresh(success).state == "succeeded"


def test_the_queue_runs_a_fixed_number_of_queries(org, standing):
    counts = []
    for size in (1, 3):
        while BoardRequest.objects.count() < size:
            proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre)
            praise(org, succeeded(proposal, head=org.head, party=org.party))
        client = client_for(standing)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/reviews/requests/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_api(org, success, standing):
    from rest_framework.test import APIClient

    board = APIClient()
    board.force_authenticate(org.orgboard)
    answer = board.post(
        f"/api/v1/proposals/{success.pk}/requests/",
        {"kind": "replication", "target_units": [org.commune.pk], "grounds": "Cần nhân rộng."},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    assert answer.json()["state"] == "pending"
    bad = board.post(
        f"/api/v1/proposals/{success.pk}/requests/", {"kind": "recognition"}, format="json"
    )
    assert bad.status_code == 400
    assert (
        board.post(f"/api/v1/requests/{pk}/decision/", {"decision": "approve"}).status_code == 403
    )
    decider = APIClient()
    decider.force_authenticate(standing)
    queue = decider.get("/api/v1/requests/").json()
    rows = queue["results"] if isinstance(queue, dict) else queue
    assert [r["id"] for r in rows] == [pk]
    assert rows[0]["may_decide"] is True
    answer = decider.post(
        f"/api/v1/requests/{pk}/decision/", {"decision": "approve", "reason": "Đồng ý."}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "approved"
    assert fresh(success).state == "replicated"
    assert (
        decider.post(f"/api/v1/requests/{pk}/decision/", {"decision": "refuse"}).status_code == 409
    )
    listed = board.get(f"/api/v1/proposals/{success.pk}/requests/").json()
    assert [r["id"] for r in listed] == [pk]
    other = APIClient()
    other.force_authenticate(org.commune_head)
    assert other.get(f"/api/v1/requests/{pk}/").status_code == 404
