"""Fragments of a page rendered once and kept by their content: the key is a digest of everything
the fragment shows, so a kept fragment is never stale and nothing has to forget it. For what never
changes once written (a ledger entry), shown often (the proposal page's timeline).

The fragments live in each process's own memory (the `fragments` cache, Django's LocMemCache,
bounded and least-recently-used first): a deployment that changes a template, a template tag or a
translation restarts the processes and so starts from nothing. A fragment is rendered without the
request (no CSRF token, no user), from the item alone."""

import dataclasses
import hashlib

from django.core.cache import caches
from django.db.models import Model
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

ALIAS = "fragments"  # settings.CACHES


def shown(value):
    """A value as it enters a key: its text, and whether the template escapes it (a lazy
    translation is its text in the active language, not the proxy object). Containers are keyed
    by what they hold: a dataclass by every field, a model instance by every column (a renamed
    unit is another key), a dict by its items."""
    kind = type(value)  # the common kinds first, by their exact type (a dashboard: ~3,000 values)
    if kind is int or kind is bool or value is None:
        return value
    if kind is str:
        return (value, False)
    if kind is list or kind is tuple:
        return tuple(map(shown, value))
    if isinstance(value, bool | int):
        return value
    if isinstance(value, list | tuple):
        return tuple(map(shown, value))
    if isinstance(value, dict):
        return ("dict", tuple((shown(k), shown(v)) for k, v in value.items()))
    if isinstance(value, Model):
        # The columns read from the database (a deferred one would cost a query per key: a
        # fragment shows only what its query loaded).
        loaded = value.__dict__
        return (
            value._meta.label,
            tuple(shown(loaded.get(f.attname)) for f in value._meta.concrete_fields),
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__qualname__,
            tuple(shown(getattr(value, f.name)) for f in dataclasses.fields(value)),
        )
    return (str(value), isinstance(value, SafeData))


def _template(name: str):
    """The template (the loader keeps it) and a digest of its source: a template edited while
    `make run` serves it, which the loader reloads, is not answered by its former fragments."""
    template = get_template(name)
    return template, hashlib.blake2b(template.template.source.encode()).hexdigest()[:16]


def render_each(template_name: str, items, *, key) -> list[str]:
    """`template_name` rendered with {"item": item} for each item, in order. `key(item)` returns
    everything the template reads from the item, as `shown` values: two items with equal keys
    must render the same. The language, the time zone and the script prefix (the addresses the
    fragment writes) are added here."""
    template, source = _template(template_name)
    scope = (source, get_language(), timezone.get_current_timezone_name(), get_script_prefix())
    keys = [
        f"{template_name}:" + hashlib.blake2b(repr((scope, key(item))).encode()).hexdigest()
        for item in items
    ]
    cache = caches[ALIAS]
    kept = cache.get_many(keys)
    fresh = {}
    rendered = []
    for name, item in zip(keys, items, strict=True):
        html = kept.get(name)
        if html is None:
            html = fresh[name] = template.render({"item": item})
        rendered.append(mark_safe(html))  # noqa: S308 (the template's own output, escaped there)
    if fresh:
        cache.set_many(fresh)
    return rendered
