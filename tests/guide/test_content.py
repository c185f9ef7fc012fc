"""The guide documents pages that exist: every section names the URL of its page, and each name
must resolve (a renamed or removed page fails here, not in front of a reader)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from guide import content
from units.models import Role

# Values for the arguments of a documented page's URL (a proposal, a transition...).
SAMPLE = {"pk": 1, "name": "approve", "adjustment_pk": 1, "milestone_pk": 1, "slug": "cadre"}
SAMPLE |= {"attachment_pk": 1, "aid": 1, "uidb64": "MQ", "token": "set-password", "author": 1}


def _routes(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{pattern.namespace}:" if pattern.namespace else namespace
            prefix = str(pattern.pattern)
            for name, template in _routes(pattern.url_patterns, ns):
                yield name, prefix + template
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, str(pattern.pattern)


ROUTES = dict(_routes())
DOCUMENTED = sorted({name for _g, s in content.sections() for name in s.url_names})


@pytest.mark.parametrize("url_name", DOCUMENTED)
def test_every_documented_page_exists(url_name):
    assert url_name in ROUTES, f"the guide documents {url_name!r}, which is no longer a page"
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", ROUTES[url_name])
    assert reverse(url_name, kwargs={a: SAMPLE[a] for a in arguments})


def test_sections_are_unique_and_complete():
    for guide in content.GUIDES:
        keys = [s.key for s in guide.sections]
        assert len(keys) == len(set(keys)), guide.slug
        assert guide.sections, guide.slug
        for section in guide.sections:
            assert re.fullmatch(r"[a-z0-9-]+", section.key)
            assert section.title and section.intro
            assert not section.shot or section.shot_alt, (guide.slug, section.key)
    assert len(content.BY_SLUG) == len(content.GUIDES)


def test_every_role_has_a_guide():
    """Every role of the unit tree (lifecycle.md, "Organisation") has its part of the guide."""
    assert {g.role for g in content.ROLE_GUIDES} == set(Role.values)


def test_every_page_of_the_navigation_is_documented():
    """What the menu offers, the guide explains."""
    from kl14.navigation import _registry

    missing = {item.url_name for item in _registry.values()} - set(DOCUMENTED)
    assert missing == set(), "a menu entry without a section in guide/content.py"


def test_the_vietnamese_guide_quotes_the_words_of_the_screens():
    """A button or menu entry the guide names in quotes (“Lưu và trình”) is a text of the app: a
    renamed button fails here, so the guide never tells a reader to press what is not there."""
    from pathlib import Path

    import polib
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    words = {
        entry.msgstr
        for path in base.glob("*/locale/vi/LC_MESSAGES/django.po")
        if path.parts[-5] != "guide"
        for entry in polib.pofile(str(path))
    }
    examples = {"dat dai", "đất đai"}  # a search example, not a label
    guide = polib.pofile(str(base / "guide" / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    unknown = {
        quoted
        for entry in guide
        for quoted in re.findall(r"“([^”]+)”", entry.msgstr)
        if quoted not in words | examples
    }
    assert unknown == set()
