"""Addresses of many objects at once."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 987654321


@lru_cache(maxsize=512)
def _around(viewname: str, prefix: str, urlconf: str) -> tuple[str, str]:
    """What comes before and after the pk in viewname's address, under this script prefix and
    URLconf (the prefix is read by `reverse` itself; both are part of the key)."""
    head, tail = reverse(viewname, args=[_MARKER], urlconf=urlconf).split(str(_MARKER))
    return head, tail


def _parts(viewname: str) -> tuple[str, str]:
    return _around(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def pk_urls(viewname: str):
    """pk -> reverse(viewname, args=[pk]), with one `reverse` for all of them: the reminder sweep
    builds an address per open deadline (a million at national scale), and `reverse` costs
    ~0.4 ms each. For views whose only argument is an integer pk."""
    head, tail = _parts(viewname)
    return lambda pk: f"{head}{int(pk)}{tail}"


def pk_url(viewname: str, pk) -> str:
    """reverse(viewname, args=[pk]) for a view whose only argument is an integer pk, without
    resolving the pattern again: a list page writes one per row (the `pk_url` template tag)."""
    head, tail = _parts(viewname)
    return f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=512)
def _plain(viewname: str, prefix: str, urlconf: str) -> str:
    return reverse(viewname, urlconf=urlconf)


def plain_url(viewname: str) -> str:
    """reverse(viewname) for a view without arguments, resolved once per script prefix and
    URLconf: the navigation bar names a dozen of them on every page."""
    return _plain(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
