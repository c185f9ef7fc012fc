"""A choice's label without Django rebuilding the field's choices on every call. Django's
`get_FOO_display` makes every (value, label) pair of the field hashable, which translates each
lazy label, then looks one up: for a field of twenty choices, twenty translations per call, and a
page of lessons calls it eighty times. Here the labels of a field are translated once per language
and process, and the answer is the same as Django's (tests/kl14/test_choices.py)."""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_labels: dict[tuple, dict] = {}


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    """A test that changes the languages or the translations' paths changes the labels."""
    _labels.clear()


def labels_of(field) -> dict:
    """{value: label} of a field with choices, in the active language."""
    key = (field, get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {
            make_hashable(value): force_str(label) for value, label in field.flatchoices
        }
    return labels


class ChoiceLabels:
    """A model mixin: its `get_FOO_display()` read from labels_of."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(labels_of(field).get(make_hashable(value), value), strings_only=True)
