"""kl14.forms.ModelChoicesField: a choice of many rows whose keys were edited past any integer
column (99999999999999999999) is an invalid choice on the form, not an OverflowError from
SQLite's `IN (…)` (a 500, found by posting every form of `make run` with odd values)."""

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from kl14.forms import ModelChoicesField
from proposals.models import Proposal
from tests.proposals.test_views import form_data
from units.models import Unit

pytestmark = pytest.mark.django_db

PAST_64_BITS = "9" * 23


def units_field():
    return ModelChoicesField(queryset=Unit.objects.order_by("path"), required=False)


def test_a_key_past_the_columns_range_is_an_invalid_choice(org):
    field = units_field()
    for value in ([PAST_64_BITS], [str(org.agency.pk), PAST_64_BITS], ["-" + PAST_64_BITS]):
        with pytest.raises(forms.ValidationError) as raised:
            field.clean(value)
        assert raised.value.code == "invalid_choice"


def test_real_keys_and_djangos_own_checks_still_hold(org):
    field = units_field()
    assert list(field.clean([str(org.agency.pk), str(org.commune.pk)])) == sorted(
        [org.agency, org.commune], key=lambda unit: unit.path
    )
    assert list(field.clean([])) == []
    with pytest.raises(forms.ValidationError) as raised:
        field.clean(["abc"])
    assert raised.value.code == "invalid_pk_value"
    with pytest.raises(forms.ValidationError) as raised:
        field.clean([str(Unit.objects.order_by("-pk").first().pk + 1000)])
    assert raised.value.code == "invalid_choice"


def test_keys_that_are_not_integers_are_left_to_djangos_checks(org):
    """Chosen by a text column (a unit's code): no integer range applies, nothing is refused
    for its size."""
    field = ModelChoicesField(queryset=Unit.objects.order_by("path"), to_field_name="code")
    assert list(field.clean([org.agency.code])) == [org.agency]
    with pytest.raises(forms.ValidationError) as raised:
        field.clean([PAST_64_BITS])
    assert raised.value.code == "invalid_choice"


def test_every_form_of_kl14_uses_it_for_a_choice_of_many_rows():
    autodiscover_modules("forms", "transitions")
    pending, seen, plain = list(forms.BaseForm.__subclasses__()), set(), []
    while pending:
        form = pending.pop()
        if form in seen:
            continue
        seen.add(form)
        pending.extend(form.__subclasses__())
        if form.__module__.split(".")[0] in {"django", "rest_framework", "django_filters"}:
            continue
        plain += [
            f"{form.__module__}.{form.__name__}.{name}"
            for name, field in getattr(form, "base_fields", {}).items()
            if type(field) is forms.ModelMultipleChoiceField
        ]
    assert len(seen) > 20  # the project's forms were found
    assert plain == []


def test_the_proposal_form_answers_an_edited_co_author_in_words(org):
    client = Client()
    client.force_login(org.cadre)
    before = Proposal.objects.count()
    data = form_data(org.agency, co_authors=PAST_64_BITS)
    response = client.post(reverse("proposals:create"), data)
    assert response.status_code == 400  # a form with errors, shown again (the app's rule)
    errors = response.context["form"].errors.as_data()["co_authors"]
    assert [error.code for error in errors] == ["invalid_choice"]
    assert "không phải là một trong các lựa chọn khả thi" in response.content.decode()
    assert Proposal.objects.count() == before
