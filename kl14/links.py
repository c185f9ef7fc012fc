"""Addresses of many objects at once."""

from django.urls import reverse

_MARKER = 987654321


def pk_urls(viewname: str):
    """pk -> reverse(viewname, args=[pk]), with one `reverse` for all of them: the reminder sweep
    builds an address per open deadline (a million at national scale), and `reverse` costs
    ~0.4 ms each. For views whose only argument is an integer pk."""
    head, tail = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"
