"""Every 400 answers `errors` as api.md has it, `{field: [message, ...]}`, however deeply the input
nests: the errors of nested items get dotted paths."""

from kl14.drf import error_body, flat_errors


def test_nested_errors_get_dotted_paths():
    nested = {
        "title": ["Required."],
        "kpi_values": {3: {"value": ["A valid number is required."]}},
        "milestones": [{}, {"due": ["Bad date."], "title": ["Required."]}],
        "target_units": {0: ["Not found."]},
        "empty": [],
    }
    assert flat_errors(nested) == {
        "title": ["Required."],
        "kpi_values.3.value": ["A valid number is required."],
        "milestones.1.due": ["Bad date."],
        "milestones.1.title": ["Required."],
        "target_units.0": ["Not found."],
    }


def test_the_error_body_is_flat():
    body = error_body("Invalid input.", "invalid", {"items": [{"a": ["x"]}]})
    assert body == {"detail": "Invalid input.", "code": "invalid", "errors": {"items.0.a": ["x"]}}
    assert error_body("Nope", "not_found")["errors"] == {}
    assert flat_errors(["One", "Two"]) == {"non_field_errors": ["One", "Two"]}
