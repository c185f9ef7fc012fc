"""kl14/fragments.py: a fragment kept by its content renders as the template does, once per
content; the language, the time zone and the template's source are part of the key."""

import dataclasses
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core.cache import caches
from django.template.backends.django import Template
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from kl14.fragments import ALIAS, render_each, shown

ITEM = "test/_item.html"


def engine(source):
    """A template engine whose only template, ITEM, has `source`."""
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {ITEM: source})]},
            }
        ]
    )


SOURCE = (
    "{% load i18n %}<li>{{ item.text }} · {% translate 'Yes' %} · {{ item.at|date:'H:i' }}</li>"
)


def key(item):
    return (shown(item["text"]), item["at"].isoformat())


@pytest.fixture
def renders():
    """How many times a template was rendered (the fragments rendered, not taken from the cache)."""
    with mock.patch.object(Template, "render", autospec=True, side_effect=Template.render) as spy:
        yield spy


def items():
    at = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)
    return [{"text": "<b>a & b</b>", "at": at}, {"text": mark_safe("<i>safe</i>"), "at": at}]


def test_a_fragment_renders_as_the_template_does_and_once_per_content(renders):
    caches[ALIAS].clear()
    with engine(SOURCE), translation.override("vi"), timezone.override("Asia/Ho_Chi_Minh"):
        first = render_each(ITEM, items(), key=key)
        assert renders.call_count == 2
        again = render_each(ITEM, items(), key=key)
        assert renders.call_count == 2  # both from the cache
    assert (
        first
        == again
        == [
            "<li>&lt;b&gt;a &amp; b&lt;/b&gt; · Có · 15:05</li>",
            "<li><i>safe</i> · Có · 15:05</li>",
        ]
    )


def test_escaping_is_part_of_the_key(renders):
    """The same text, once plain and once marked safe, renders differently: neither takes the
    other's fragment."""
    at = items()[0]["at"]
    with engine(SOURCE), translation.override("vi"):
        plain = render_each(ITEM, [{"text": "<i>x</i>", "at": at}], key=key)
        safe = render_each(ITEM, [{"text": mark_safe("<i>x</i>"), "at": at}], key=key)
    assert plain != safe and "&lt;i&gt;" in plain[0] and "<i>x</i>" in safe[0]


def test_language_and_time_zone_are_part_of_the_key():
    with engine(SOURCE):
        with translation.override("vi"), timezone.override("Asia/Ho_Chi_Minh"):
            vi = render_each(ITEM, items()[:1], key=key)
        with translation.override("en"), timezone.override("Asia/Ho_Chi_Minh"):
            en = render_each(ITEM, items()[:1], key=key)
        with translation.override("en"), timezone.override("UTC"):
            utc = render_each(ITEM, items()[:1], key=key)
    assert "Có" in vi[0] and "Yes" in en[0]
    assert "15:05" in en[0] and "08:05" in utc[0]


def test_the_script_prefix_is_part_of_the_key():
    """A fragment writes addresses (`pk_url`): the same item under another script prefix (the
    app served below a path) is rendered again, with that prefix."""
    from django.urls import set_script_prefix

    source = "{% load kl14 %}{% pk_url 'notifications:open' item.pk %}"
    try:
        with engine(source):
            set_script_prefix("/")
            root = render_each(ITEM, [{"pk": 7}], key=lambda item: item["pk"])
            set_script_prefix("/kl14/")
            below = render_each(ITEM, [{"pk": 7}], key=lambda item: item["pk"])
    finally:
        set_script_prefix("/")
    assert root == ["/notifications/7/"]
    assert below == ["/kl14/notifications/7/"]


def test_an_edited_template_is_not_answered_by_its_former_fragments():
    with translation.override("vi"):
        with engine(SOURCE):
            before = render_each(ITEM, items()[:1], key=key)
        with engine(SOURCE.replace("<li>", '<li class="new">')):
            after = render_each(ITEM, items()[:1], key=key)
    assert not before[0].startswith('<li class="new">')
    assert after[0].startswith('<li class="new">')


def test_shown_keeps_text_and_escaping_apart():
    lazy = translation.gettext_lazy("Yes")
    with translation.override("vi"):
        assert shown(lazy) == ("Có", False)
    with translation.override("en"):
        assert shown(lazy) == ("Yes", False)
    assert shown(mark_safe("x")) != shown("x")
    assert shown([("a", None), True, 3]) == ((("a", False), None), True, 3)


@dataclasses.dataclass
class Row:
    unit: object
    counts: dict
    label: object
    share: float | None = None


def test_shown_keys_containers_by_everything_they_hold(tree):
    """A dataclass by each field, a model instance by each column read, a dict by its items:
    changing any one of them is another key (the dashboard's figures, reviews.views)."""
    from django.utils.translation import gettext_lazy

    agency = tree["agency"]
    base = Row(agency, {"approved": 2}, gettext_lazy("Yes"), 66.7)
    key = shown(base)
    assert shown(Row(agency, {"approved": 2}, gettext_lazy("Yes"), 66.7)) == key
    assert shown(dataclasses.replace(base, counts={"approved": 3})) != key
    assert shown(dataclasses.replace(base, counts={"rejected": 2})) != key
    assert shown(dataclasses.replace(base, share=66.8)) != key
    assert shown(dataclasses.replace(base, label="Yes")) != key  # not a lazy text's object
    renamed = type(agency).objects.get(pk=agency.pk)
    renamed.name = "Sở mới"
    assert shown(dataclasses.replace(base, unit=renamed)) != key
    moved = type(agency).objects.get(pk=agency.pk)
    moved.code = "P-X"  # a column the unit's str() does not show is keyed too
    assert str(moved) == str(agency)
    assert shown(dataclasses.replace(base, unit=moved)) != key
    with translation.override("en"):
        assert shown(base) != key  # the lazy label in the other language
