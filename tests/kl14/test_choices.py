"""kl14.choices: get_FOO_display read from labels translated once per language gives Django's own
answer, for every choice field of the models that use it, every value, a value that is not a
choice and an empty one, in both languages."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from kl14.choices import ChoiceLabels, labels_of


def choice_fields():
    for model in apps.get_models():
        if issubclass(model, ChoiceLabels):
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_the_models_of_the_busy_pages_use_it():
    names = {model._meta.label for model, _field in choice_fields()}
    assert {
        "proposals.Proposal",
        "proposals.ProposalAuthor",
        "proposals.Opinion",
        "reviews.Evaluation",
        "units.Membership",
    } <= names


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_label_is_djangos_own(language):
    checked = 0
    with translation.override(language):
        for model, field in choice_fields():
            values = [value for value, _label in field.flatchoices]
            for value in [*values, "not-a-choice", None, ""]:
                row = model()
                row.__dict__[field.attname] = value  # (a protected FSM field refuses setattr)
                ours = getattr(row, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(row, field)
                assert ours == django, (model, field.name, value)
                assert type(ours) is type(django)
                checked += 1
    assert checked > 60


def test_the_labels_follow_the_language():
    from proposals.models import Proposal, State

    proposal = Proposal(state=State.SUBMITTED)
    with translation.override("vi"):
        vietnamese = proposal.get_state_display()
    with translation.override("en"):
        english = proposal.get_state_display()
    assert english == "Submitted" and vietnamese != english
    field = Proposal._meta.get_field("state")
    with translation.override("en"):
        assert labels_of(field)[State.SUBMITTED] == "Submitted"
