"""The error format in the OpenAPI schema, shared by every app's API (the handler that produces it,
and the classes the REST_FRAMEWORK settings name, are in kl14.drf)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, but a list that a write answers (e.g. the recognitions just granted) is
    a plain array: DRF paginates only list GETs. For the views that answer a write with a list
    (`schema = AutoSchema()`); not REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS, since a module named
    there must not import DRF's views (tests/kl14/test_startup.py)."""

    def _get_paginator(self):
        return super()._get_paginator() if self.method == "GET" else None


class ErrorSerializer(serializers.Serializer):
    """The error body of every API answer but 2xx (see kl14.drf.exception_handler)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name -> messages (empty unless the input was invalid).",
    )


ERROR_MEANINGS = {
    400: "Invalid input: `errors` names the fields. Nothing was written.",
    401: "Not signed in (send a session cookie or `Authorization: Token <token>`).",
    403: "Visible to you, but you may not do this.",
    404: "Not found, or not visible to you.",
    409: "The item is in a state that does not allow this, or it changed meanwhile.",
    415: "The body is not multipart/form-data.",
    429: "Too many attempts: try again later.",
}


def error_responses(*codes: int) -> dict:
    """Schema entries for the error answers an endpoint can give, all in the shared format."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS[code]) for code in codes
    }


def paginated_lists_answer_404(result, generator, request, public):
    """drf-spectacular post-processing hook: a paginated list (it takes `page`) answers 404 for a
    page that does not exist (DRF's PageNumberPagination: "Invalid page."), whatever the view
    declares."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", []) if isinstance(operation, dict) else []
            if any(p.get("in") == "query" and p.get("name") == "page" for p in parameters):
                operation["responses"].setdefault(
                    "404",
                    {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                        "description": "No such page (`page` beyond the last), or not found.",
                    },
                )
    return result


def writes_take_an_idempotency_key(result, generator, request, public):
    """drf-spectacular post-processing hook: every write (POST, PUT, PATCH, DELETE) but the
    sign-in's takes an optional `Idempotency-Key` header, and may then answer 409 (the same write
    still under way) or 422 (the key used for another write, or too long): ops.submissions."""
    from ops.submissions import HEADER, MAX_KEY, NEVER_KEPT

    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in result.get("paths", {}).items():
        if path.startswith(NEVER_KEPT):
            continue
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            operation.setdefault("parameters", []).append(
                {
                    "in": "header",
                    "name": HEADER,
                    "required": False,
                    "schema": {"type": "string", "maxLength": MAX_KEY},
                    "description": (
                        "A key of your choice, new for each write (a UUID), yours alone. Sent "
                        "again with the same write (a retry after a timeout), it is done once: "
                        "the first answer comes back, with `Idempotent-Replayed: true`. A write "
                        "that changed nothing (refused, invalid) frees its key; the answers of "
                        "the others are kept for a day."
                    ),
                }
            )
            responses = operation.setdefault("responses", {})
            under_way = (
                "With an Idempotency-Key: the same write is still under way (`in_progress`), "
                "was done but its answer is not kept (`already_done`), or ended without an "
                "answer, so whether it was done is not known (`outcome_unknown`)."
            )
            if "409" in responses:
                first = responses["409"]  # a copy: the views may share one
                responses["409"] = {
                    **first,
                    "description": f"{first['description']} Or: {under_way}",
                }
            else:
                responses["409"] = {**error, "description": under_way}
            responses.setdefault(
                "422",
                {
                    **error,
                    "description": (
                        "The Idempotency-Key was used for another write (`idempotency_key_reused`)"
                        " or is too long (`invalid_idempotency_key`)."
                    ),
                },
            )
    return result
