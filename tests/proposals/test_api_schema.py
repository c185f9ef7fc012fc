"""The OpenAPI schema describes every proposals endpoint, its request body and every answer it can
give, errors in the shared `{detail, code, errors}` format."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

P = "/api/v1/proposals/{id}/"
ERRORS_OF_A_READ = {"200", "401", "404"}
# 409 and 422 also for a write sent again with its Idempotency-Key (ops.submissions).
ERRORS_OF_A_WRITE = {"400", "401", "403", "404", "409", "422"}

EXPECTED = {
    ("/api/v1/proposals/", "get"): {"200", "400", "401", "404"},
    ("/api/v1/proposals/", "post"): {"201", "400", "401", "409", "422"},
    (P, "get"): ERRORS_OF_A_READ,
    (P, "patch"): {"200", *ERRORS_OF_A_WRITE},
    (P, "delete"): {"204", "401", "403", "404", "409", "422"},
    (P + "versions/", "get"): ERRORS_OF_A_READ,
    (P + "versions/{number}/", "get"): ERRORS_OF_A_READ,
    (P + "versions/{number}/diff/{other}/", "get"): ERRORS_OF_A_READ,
    (P + "transitions/", "get"): ERRORS_OF_A_READ,
    (P + "transitions/submit/", "post"): {"200", *ERRORS_OF_A_WRITE},
    (P + "transitions/withdraw/", "post"): {"200", *ERRORS_OF_A_WRITE},
    (P + "transitions/approve/", "post"): {"200", *ERRORS_OF_A_WRITE},
    (P + "votes/", "get"): ERRORS_OF_A_READ,
    (P + "votes/", "post"): {"200", *ERRORS_OF_A_WRITE},
    (P + "opinions/", "get"): ERRORS_OF_A_READ,
    (P + "opinions/", "post"): {"201", *ERRORS_OF_A_WRITE},
    (P + "ledger/", "get"): ERRORS_OF_A_READ,
    (P + "ledger/verify/", "get"): ERRORS_OF_A_READ,
    (P + "attachments/", "get"): ERRORS_OF_A_READ,
    (P + "attachments/", "post"): {"201", "415", *ERRORS_OF_A_WRITE},
    (P + "attachments/{aid}/", "delete"): {"204", "401", "403", "404", "409", "422"},
    (P + "attachments/{aid}/download/", "get"): ERRORS_OF_A_READ,
}
WITH_BODY = {
    ("/api/v1/proposals/", "post"): "application/json",
    (P, "patch"): "application/json",
    (P + "transitions/withdraw/", "post"): "application/json",
    (P + "transitions/approve/", "post"): "application/json",
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


def test_every_write_but_the_sign_in_takes_an_idempotency_key(schema):
    writes = [
        (path, method, op)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) > 20
    for path, method, op in writes:
        headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        if path.startswith("/api/v1/auth/"):
            assert "Idempotency-Key" not in headers, (path, method)
        else:
            assert headers.count("Idempotency-Key") == 1, (path, method)
            assert {"409", "422"} <= set(op["responses"]), (path, method)


def test_the_error_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert set(error["required"]) == {"detail", "code", "errors"}


def test_each_transition_has_its_own_path_and_request_body(schema):
    """One path per transition, so that the schema can say which body goes with which name."""
    assert P + "transitions/{name}/" not in schema["paths"]
    for name in ("withdraw", "return_for_revision", "escalate", "approve", "reject"):
        body = operation(schema, f"{P}transitions/{name}/", "post")["requestBody"]
        assert body["required"] is True
        component = "".join(part.title() for part in name.split("_")) + "TransitionInputRequest"
        assert body["content"]["application/json"]["schema"]["$ref"].endswith(f"/{component}")
    components = schema["components"]["schemas"]
    approve = components["ApproveTransitionInputRequest"]
    assert set(approve["properties"]) == {
        "mode",
        "override_reason",
        "assessment_bottleneck",
        "assessment_common_good",
        "assessment_urgent_need",
        "assessment_reform",
    }
    # issue 11, point 7: the collective assesses each Art. 5(1) condition at the decision
    assert sorted(approve["required"]) == [
        "assessment_bottleneck",
        "assessment_common_good",
        "assessment_reform",
        "assessment_urgent_need",
        "mode",
    ]
    assert components["WithdrawTransitionInputRequest"]["required"] == ["reason"]
    for name in ("submit", "open_review"):
        assert "requestBody" not in operation(schema, f"{P}transitions/{name}/", "post")


def test_the_transition_list_says_what_is_missing(schema):
    listed = schema["components"]["schemas"]["Transition"]
    assert {"ready", "missing", "preview", "irreversible"} <= set(listed["required"])


def test_the_mode_is_empty_until_approval(schema):
    mode = schema["components"]["schemas"]["Proposal"]["properties"]["mode"]
    refs = {ref["$ref"].rsplit("/", 1)[-1] for ref in mode["oneOf"]}
    assert refs == {"ModeEnum", "BlankEnum"}


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


def test_the_download_is_binary_in_the_type_it_was_uploaded_as(schema):
    op = operation(schema, P + "attachments/{aid}/download/", "get")
    content = op["responses"]["200"]["content"]
    assert {"application/pdf", "image/png", "application/msword"} <= set(content)
    assert "application/octet-stream" not in content
    for media in content.values():
        assert media["schema"] == {"type": "string", "format": "binary"}


def test_a_paginated_list_documents_the_404_of_a_page_beyond_the_last(schema):
    for path in ("/api/v1/proposals/", "/api/v1/lessons/", "/api/v1/units/"):
        op = operation(schema, path, "get")
        assert "page" in {p["name"] for p in op["parameters"]}
        assert op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF


def test_an_opinion_requires_the_committees_document_and_signer(schema):
    """Issue 11, point 5: the committee's document (number, date) and its signer (name, title)."""
    opinion = schema["components"]["schemas"]["OpinionInputRequest"]
    assert {
        "stance",
        "text",
        "document_number",
        "document_date",
        "signer_name",
        "signer_title",
    } <= set(opinion["required"])
    assert opinion["properties"]["document_date"]["format"] == "date"
