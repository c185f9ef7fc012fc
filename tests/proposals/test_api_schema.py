"""The OpenAPI schema describes every proposals endpoint, its request body and every answer it can
give, errors in the shared `{detail, code, errors}` format."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

P = "/api/v1/proposals/{id}/"
ERRORS_OF_A_READ = {"200", "401", "404"}
ERRORS_OF_A_WRITE = {"400", "401", "403", "404", "409"}

EXPECTED = {
    ("/api/v1/proposals/", "get"): {"200", "400", "401", "404"},
    ("/api/v1/proposals/", "post"): {"201", "400", "401"},
    (P, "get"): ERRORS_OF_A_READ,
    (P, "patch"): {"200", *ERRORS_OF_A_WRITE},
    (P, "delete"): {"204", "401", "403", "404", "409"},
    (P + "versions/", "get"): ERRORS_OF_A_READ,
    (P + "versions/{number}/", "get"): ERRORS_OF_A_READ,
    (P + "versions/{number}/diff/{other}/", "get"): ERRORS_OF_A_READ,
    (P + "transitions/", "get"): ERRORS_OF_A_READ,
    (P + "transitions/{name}/", "post"): {"200", *ERRORS_OF_A_WRITE},
    (P + "votes/", "get"): ERRORS_OF_A_READ,
    (P + "votes/", "post"): {"200", *ERRORS_OF_A_WRITE},
    (P + "opinions/", "get"): ERRORS_OF_A_READ,
    (P + "opinions/", "post"): {"201", *ERRORS_OF_A_WRITE},
    (P + "ledger/", "get"): ERRORS_OF_A_READ,
    (P + "ledger/verify/", "get"): ERRORS_OF_A_READ,
    (P + "attachments/", "get"): ERRORS_OF_A_READ,
    (P + "attachments/", "post"): {"201", "415", *ERRORS_OF_A_WRITE},
    (P + "attachments/{aid}/", "delete"): {"204", "401", "403", "404", "409"},
    (P + "attachments/{aid}/download/", "get"): ERRORS_OF_A_READ,
}
WITH_BODY = {
    ("/api/v1/proposals/", "post"): "application/json",
    (P, "patch"): "application/json",
    (P + "transitions/{name}/", "post"): "application/json",
    (P + "votes/", "post"): "application/json",
    (P + "opinions/", "post"): "application/json",
    (P + "attachments/", "post"): "multipart/form-data",
}
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operation(schema, path, method):
    assert path in schema["paths"], f"{path} is not in the schema"
    assert method in schema["paths"][path], f"{method.upper()} {path} is not in the schema"
    return schema["paths"][path][method]


@pytest.mark.parametrize("path, method", list(EXPECTED), ids=lambda v: str(v))
def test_every_endpoint_lists_every_answer_it_can_give(schema, path, method):
    op = operation(schema, path, method)
    assert set(op["responses"]) == EXPECTED[path, method]
    assert op.get("summary"), "every endpoint has a summary"
    for code, response in op["responses"].items():
        if int(code) >= 400:
            assert response["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
            assert response["description"]


@pytest.mark.parametrize("path, method", list(EXPECTED), ids=lambda v: str(v))
def test_request_bodies_are_described(schema, path, method):
    op = operation(schema, path, method)
    media = WITH_BODY.get((path, method))
    if media is None:
        assert "requestBody" not in op
    else:
        body = op["requestBody"]["content"][media]["schema"]
        assert "$ref" in body or "oneOf" in body


def test_the_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert set(error["required"]) == {"detail", "code", "errors"}


def test_transition_inputs_are_documented(schema):
    transition_input = schema["components"]["schemas"]["TransitionInputRequest"]
    refs = {ref["$ref"].rsplit("/", 1)[-1] for ref in transition_input["oneOf"]}
    assert {
        "WithdrawTransitionInputRequest",
        "ReturnForRevisionTransitionInputRequest",
        "EscalateTransitionInputRequest",
        "ApproveTransitionInputRequest",
        "RejectTransitionInputRequest",
    } <= refs
    approve = schema["components"]["schemas"]["ApproveTransitionInputRequest"]
    assert set(approve["properties"]) == {"mode", "override_reason"}
    assert approve["required"] == ["mode"]
    (name,) = [
        p
        for p in operation(schema, P + "transitions/{name}/", "post")["parameters"]
        if p["name"] == "name"
    ]
    assert {"submit", "withdraw", "open_review", "approve", "reject"} <= set(name["schema"]["enum"])


def test_list_parameters_are_documented(schema):
    params = {p["name"] for p in operation(schema, "/api/v1/proposals/", "get")["parameters"]}
    assert {
        "state",
        "home_unit",
        "deciding_unit",
        "mine",
        "awaiting_me",
        "overdue",
        "q",
        "ordering",
        "page",
        "page_size",
    } <= params


def test_proposal_representation_and_request(schema):
    components = schema["components"]["schemas"]
    read = components["Proposal"]["properties"]
    assert {"code", "state", "state_label", "overdue", "url", "authors"} <= set(read)
    assert read["home_unit"]["allOf"][0]["$ref"].endswith("/UnitBrief")
    write = components["ProposalRequest"]["properties"]
    assert write["home_unit"]["type"] == "integer"
    assert write["co_authors"]["items"]["type"] == "integer"
    assert not {"code", "state", "overdue", "url", "authors"} & set(write)
    assert "home_unit" not in components["PatchedProposalUpdateRequest"]["properties"]


def test_the_token_endpoint_documents_throttling(schema):
    assert "429" in operation(schema, "/api/v1/auth/token/", "post")["responses"]


def test_the_download_is_binary(schema):
    op = operation(schema, P + "attachments/{aid}/download/", "get")
    assert op["responses"]["200"]["content"]["application/octet-stream"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
