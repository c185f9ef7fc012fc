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
