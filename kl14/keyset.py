"""Keyset (cursor) pagination for lists that grow to millions of rows, with a capped count.

A page is found by the position of the last row seen (its ordering values and pk), never by
skipping rows, so page 500 costs what page 1 costs. The rows may come from several index-backed
branches (e.g. the ways a user may see a proposal): on PostgreSQL each branch is read in order up
to one page past the position and the branches are merged (UNION), so each one walks its own
index instead of the database scanning an OR of them all. The count is exact up to a cap and
then only says "more than the cap": an exact COUNT(*) over a million visible rows costs seconds.
Clients that still send `page` get numbered pages (offset) over the same branches."""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_CAP = 1000
MAX_PAGE_SIZE = 100
PAGE_SIZE = 20


@dataclass(frozen=True)
class Key:
    """One ordering term: a concrete field, its direction, and where empty values go."""

    name: str
    descending: bool
    nulls_last: bool
    nullable: bool = False

    def reversed(self) -> "Key":
        return Key(self.name, not self.descending, not self.nulls_last, self.nullable)

    def order_by(self) -> OrderBy:
        expression = F(self.name)
        if not self.nullable:  # plain, so that an index on the field serves the order
            return expression.desc() if self.descending else expression.asc()
        nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return expression.desc(**nulls) if self.descending else expression.asc(**nulls)

    def after(self, value) -> Q:
        """Rows strictly after `value` in this term's order."""
        if value is None:
            return Q(pk__in=[]) if self.nulls_last else Q(**{f"{self.name}__isnull": False})
        q = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        return q | Q(**{f"{self.name}__isnull": True}) if self.nulls_last and self.nullable else q

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def bound(self, value) -> Q:
        """A range an index on the field can serve (implied by `after` on the whole key)."""
        if value is None or self.nullable:
            return Q()
        return Q(**{f"{self.name}__{'lte' if self.descending else 'gte'}": value})


def keys_of(queryset: QuerySet) -> list[Key]:
    """The ordering of a queryset as keys, always ending with the primary key."""
    keys = []
    for term in queryset.query.order_by:
        if isinstance(term, str):
            descending, name = term.startswith("-"), term.lstrip("-")
            nulls_last = descending  # the database's default (PostgreSQL: NULL is largest)
        else:
            descending, name = term.descending, term.expression.name
            nulls_last = bool(term.nulls_last) or (descending and not term.nulls_first)
        name = "pk" if name in ("pk", queryset.model._meta.pk.name) else name
        nullable = name != "pk" and queryset.model._meta.get_field(name).null
        keys.append(Key(name, descending, nulls_last, nullable))
        if name == "pk":
            break
    if not keys or keys[-1].name != "pk":
        keys.append(Key("pk", True, True))
    return keys


def after(keys: list[Key], values: list) -> Q:
    """Rows strictly after the position `values` in the order of `keys` (lexicographic)."""
    terms = []
    for i, key in enumerate(keys):
        equal = [keys[j].equal(values[j]) for j in range(i)]
        terms.append(reduce(lambda a, b: a & b, equal, key.after(values[i])))
    return keys[0].bound(values[0]) & reduce(or_, terms)


def _plain(value):
    """Dates and times in full (DjangoJSONEncoder cuts microseconds: the position would move)."""
    return value.isoformat() if isinstance(value, datetime.date | datetime.time) else value


MAX_OFFSET = 2**31


def encode_cursor(values: list, *, backwards: bool) -> str:
    values = [_plain(v) for v in values]
    raw = json.dumps({"v": values, "b": backwards}, cls=DjangoJSONEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, model, keys: list[Key]) -> tuple[list, bool]:
    invalid = exceptions.ValidationError({"cursor": [_("This cursor is not valid.")]})
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        values, backwards = data["v"], bool(data["b"])
        if not isinstance(values, list) or len(values) != len(keys):
            raise invalid
        fields = [
            model._meta.pk if key.name == "pk" else model._meta.get_field(key.name) for key in keys
        ]
        return [
            None if v is None else f.to_python(v) for f, v in zip(fields, values, strict=True)
        ], backwards
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError):
        raise invalid from None


def _merged(queryset, branches, keys, position, limit, offset=0):
    """The keys of `limit` rows after `position`, skipping the first `offset`: one UNION of the
    branches, each read in order up to `offset + limit` rows (PostgreSQL), or one query with the
    branches OR-ed (elsewhere: SQLite cannot order and slice the parts of a UNION). The database
    skips the offset: only the page's rows travel."""
    names = [key.name for key in keys]
    ordering = [key.order_by() for key in keys]
    if position is not None:
        queryset = queryset.filter(after(keys, position))
    end = offset + limit
    if connection.vendor != "postgresql" or len(branches) == 1:
        rows = queryset.filter(reduce(or_, branches)).distinct().order_by(*ordering)
        return list(rows.values_list(*names)[offset:end])
    # Past the first rows, the branches are made disjoint and merged as they come: the parts are
    # long, and removing their duplicates would cost as much as reading them. Within a page of
    # the position (a cursor, the first numbered page) they are short, and the disjoint
    # branches' longer SQL would cost more to compile (~4 ms for the national board) than
    # UNION saves.
    if offset:
        branches, union = disjoint(branches), {"all": True}
    else:
        union = {}
    parts = [
        _plain_branch(queryset.filter(branch)).order_by(*ordering).values_list(*names)[:end]
        for branch in branches
    ]
    return list(parts[0].union(*parts[1:], **union).order_by(*ordering)[offset:end])


def disjoint(branches: list[Q]) -> list[Q]:
    """Each branch without the rows of the branches before it, so that a row comes from one
    branch only and the parts are merged as they come (UNION ALL: PostgreSQL merges the ordered
    parts, a Merge Append) instead of hashing and sorting every row read to drop duplicates: the
    national board's `?page=500` read 10,001 keys, then spent as long again removing none.
    (Numbered pages past the first only: see _merged.)"""
    return [
        branch & ~reduce(or_, branches[:number]) if number else branch
        for number, branch in enumerate(branches)
    ]


def _plain_branch(queryset):
    """Without DISTINCT (django-filter adds it for multiple choices): it would make PostgreSQL read
    and sort every matching row instead of walking an index. A branch's own rows are distinct
    (one row per proposal: its filters join nothing that repeats it); the UNION, or `disjoint`
    under a UNION ALL, keeps a row matching several branches once."""
    queryset = queryset.all()
    queryset.query.distinct = False
    return queryset


def capped_count(queryset, branches) -> tuple[int, bool]:
    """How many rows (exactly, up to COUNT_CAP) and whether there are more."""
    if connection.vendor != "postgresql" or len(branches) == 1:
        pks = queryset.filter(reduce(or_, branches)).values("pk").distinct()[: COUNT_CAP + 1]
        n = pks.count()
    else:
        parts = [
            _plain_branch(queryset.filter(b)).values_list("pk").order_by()[: COUNT_CAP + 1]
            for b in branches
        ]
        n = parts[0].union(*parts[1:]).count()
    return min(n, COUNT_CAP), n > COUNT_CAP


class KeysetPaginator:
    """Pages of `queryset` (ordered; filtered except for the branches) restricted to rows matching
    any of `branches`. `fetch(pks)` loads the rows of a page with what they show."""

    def __init__(self, request, queryset, *, branches, fetch):
        self.request, self.queryset, self.branches, self.fetch = request, queryset, branches, fetch
        self.keys = keys_of(queryset)
        self.url = request.build_absolute_uri()

    def page_size(self) -> int:
        try:
            size = int(self.request.query_params.get("page_size", PAGE_SIZE))
        except ValueError:
            return PAGE_SIZE
        return min(max(size, 1), MAX_PAGE_SIZE)

    def response_data(self, serialize) -> dict:
        size = self.page_size()
        params = self.request.query_params
        if "page" in params:
            rows, next_url, previous_url, whole = self._numbered(params["page"], size)
        else:
            rows, next_url, previous_url, whole = self._keyset(params.get("cursor"), size)
        if whole:
            # The first page, and nothing after it: its rows are the whole list, counted as they
            # are (most lists a client reads fit one page), not counted again by the database.
            count, capped = min(len(rows), COUNT_CAP), len(rows) > COUNT_CAP
        else:
            count, capped = capped_count(self.queryset, self.branches)
        by_pk = {obj.pk: obj for obj in self.fetch([row[-1] for row in rows])}
        return {
            "count": count,
            "count_capped": capped,
            "next": next_url,
            "previous": previous_url,
            "results": serialize([by_pk[row[-1]] for row in rows if row[-1] in by_pk]),
        }

    def _keyset(self, token, size):
        """The page after (or, backwards, before) the cursor's position: its rows, the links to
        the next and previous pages, and whether its rows are the whole list."""
        position, backwards = (None, False)
        if token:
            position, backwards = decode_cursor(token, self.queryset.model, self.keys)
        keys = [key.reversed() for key in self.keys] if backwards else self.keys
        rows = _merged(self.queryset, self.branches, keys, position, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = more if not backwards else True
        has_previous = (more if backwards else position is not None) and bool(rows)
        base = remove_query_param(self.url, "cursor")
        next_url = previous_url = None
        if rows and has_next:
            next_url = replace_query_param(
                base, "cursor", encode_cursor(list(rows[-1]), backwards=False)
            )
        if has_previous:
            previous_url = replace_query_param(
                base, "cursor", encode_cursor(list(rows[0]), backwards=True)
            )
        return rows, next_url, previous_url, token is None and not more

    def _numbered(self, raw, size):
        try:
            number = int(raw)
        except ValueError:
            raise exceptions.NotFound(_("Invalid page.")) from None
        offset = (number - 1) * size
        # A page number no list can reach (the database's LIMIT takes a 64-bit integer at most).
        if number < 1 or offset > MAX_OFFSET:
            raise exceptions.NotFound(_("Invalid page."))
        rows = _merged(self.queryset, self.branches, self.keys, None, size + 1, offset)
        page, more = rows[:size], len(rows) > size
        if not page and number > 1:
            raise exceptions.NotFound(_("Invalid page."))
        next_url = replace_query_param(self.url, "page", number + 1) if more else None
        previous_url = None
        if number > 1:
            previous_url = (
                replace_query_param(self.url, "page", number - 1)
                if number > 2
                else remove_query_param(self.url, "page")
            )
        return page, next_url, previous_url, number == 1 and not more
