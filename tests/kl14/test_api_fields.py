"""The API's cheaper fields write what DRF's own write: a row's address (kl14.serializers.
PkIdentityField) and a choice's label (proposals.serializers.ChoiceLabelField)."""

import pytest
from django.db import models
from django.urls import get_script_prefix, set_script_prefix
from django.utils.translation import override
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from kl14.serializers import PkIdentityField
from proposals.models import Proposal, ProposalAuthor
from proposals.serializers import ChoiceLabelField
from tests.factories.proposals import ProposalFactory

pytestmark = pytest.mark.django_db


class _BothAddresses(serializers.Serializer):
    fast = PkIdentityField(view_name="api:proposal-detail")
    drf = serializers.HyperlinkedIdentityField(view_name="api:proposal-detail")


@pytest.mark.parametrize(
    ("query", "secure", "prefix"),
    [
        ("", False, "/"),
        ("?format=json", False, "/"),  # DRF carries the format override into the address
        ("?state=draft", True, "/"),
        ("", False, "/kl14/"),
    ],
)
def test_a_row_s_address_is_the_one_drf_writes(tree, query, secure, prefix):
    rows = [ProposalFactory(home_unit=tree["agency"]) for _ in range(2)]
    request = Request(APIRequestFactory().get(f"/api/v1/proposals/{query}", secure=secure))
    before = get_script_prefix()
    try:
        set_script_prefix(prefix)
        for row in rows:
            both = _BothAddresses(row, context={"request": request}).data
            assert both["fast"] == both["drf"]
            assert both["fast"].startswith("https://" if secure else "http://")
            assert f"{prefix}api/v1/proposals/{row.pk}/" in both["fast"]
    finally:
        set_script_prefix(before)


def test_an_unsaved_row_has_no_address():
    request = Request(APIRequestFactory().get("/api/v1/proposals/"))
    field = _BothAddresses(context={"request": request}).fields["fast"]
    assert field.to_representation(ProposalFactory.build()) is None


@pytest.mark.parametrize(
    ("model", "name"), [(Proposal, "state"), (ProposalAuthor, "post")], ids=["state", "post"]
)
def test_a_choice_s_label_is_the_model_s_own_in_each_language(model, name):
    """What get_FOO_display gives, for every choice, a value that is not one and an empty one."""
    model_field = model._meta.get_field(name)
    field = ChoiceLabelField(model_field)
    values = [value for value, _label in model_field.flatchoices] + ["no-such-choice", ""]
    for language in ("vi", "en", "vi"):
        with override(language):
            for value in values:
                row = model(**{name: value})
                assert field.to_representation(value) == str(
                    models.Model._get_FIELD_display(row, model_field)
                ), (language, value)
    with override("vi"):
        assert ChoiceLabelField(Proposal._meta.get_field("state")).to_representation("draft") == (
            "Bản nháp"
        )
    with override("en"):
        assert ChoiceLabelField(Proposal._meta.get_field("state")).to_representation("draft") == (
            "Draft"
        )
