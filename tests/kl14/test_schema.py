import pytest
from django.core.management import call_command


def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    """Every endpoint of every app is described; drf-spectacular reports no warning or error."""
    target = tmp_path / "schema.yml"
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    except SystemExit as exit_info:  # --fail-on-warn exits non-zero on any warning
        pytest.fail(f"drf-spectacular exited with {exit_info.code}")
    schema = target.read_text()
    for path in (
        "/api/v1/proposals/",
        "/api/v1/notifications/",
        "/api/v1/lessons/",
        "/api/v1/proposals/{id}/plan/",
        "/api/v1/me/",
    ):
        assert f"{path}:" in schema, path


def test_no_write_answers_a_page():
    """DRF paginates only list GETs: a write that answers a list answers a plain array."""
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                for response in operation["responses"].values():
                    for media in response.get("content", {}).values():
                        assert "/Paginated" not in media["schema"].get("$ref", ""), (path, method)


def test_files_are_documented_in_their_own_media_types():
    """A binary answer documented as JSON tells clients (and schemathesis) the wrong content type:
    each file endpoint names the types it really sends."""
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    if content["schema"].get("format") == "binary":
                        assert media not in ("application/json", "application/octet-stream"), (
                            path,
                            method,
                            code,
                        )
