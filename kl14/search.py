"""Diacritic-insensitive search of lessons and proposals.

A query is a list of terms that must all occur (in any order): each word typed, or a phrase in
double quotes ("đất đai"), which must occur as consecutive syllables. A term matches whole
syllables, except the last syllable of the query, which may be cut short as when typing
("thu tuc hanh chi" finds "thủ tục hành chính"). Vietnamese words are syllables, so a query of
several words also finds texts where they stand apart ("đất đai" finds "đặt lịch … kéo dài"); the
PostgreSQL search ranks first the texts holding the query as typed, its words one after another.
Text and terms are compared folded: lower-case ASCII letters and digits separated by single
spaces."""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_TERMS = re.compile(r'"([^"]*)"?|“([^”]*)”?|([^\s"“”]+)')
# Letters that are not a base letter plus combining marks, so NFD leaves them alone.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
MAX_PHRASE_LENGTH = 100
MAX_TERMS = 8


def fold(text: str) -> str:
    """'Thủ tục HÀNH CHÍNH, Đà Nẵng!' -> 'thu tuc hanh chinh da nang'."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub(" ", stripped).strip()


def search_text(text: str) -> str:
    """The stored form: folded, with a space at each end so every syllable has one before it."""
    return f" {fold(text)} "


@dataclass(frozen=True)
class Term:
    """Consecutive folded syllables; `prefix`: the last one may be cut short."""

    syllables: tuple[str, ...]
    prefix: bool = False

    def needle(self) -> str:
        """What the folded, space-padded text (search_text) must contain."""
        return f" {' '.join(self.syllables)}" + ("" if self.prefix else " ")

    def tsquery(self) -> str:
        """The term in to_tsquery syntax (syllables are [a-z0-9]+: nothing to quote)."""
        operands = [f"'{s}'" for s in self.syllables]
        if self.prefix:
            operands[-1] += ":*"
        return " <-> ".join(operands)


def search_terms(query: str) -> list[Term]:
    """Each word, or each phrase in double quotes, of a query; the last may be a prefix."""
    syllables: list[tuple[str, ...]] = []
    for quoted, curly, word in _TERMS.findall(query or ""):
        folded = tuple(fold((quoted or curly or word)[:MAX_PHRASE_LENGTH]).split())
        if folded and folded not in syllables:
            syllables.append(folded)
    syllables = syllables[:MAX_TERMS]
    return [Term(s, prefix=(i == len(syllables) - 1)) for i, s in enumerate(syllables)]


def tsquery(terms: list[Term]) -> str:
    """Every term, in PostgreSQL's to_tsquery syntax."""
    return " & ".join(f"({term.tsquery()})" for term in terms)


def phrase_tsquery(terms: list[Term]) -> str:
    """The whole query as one phrase: every term's syllables one after another, in its order."""
    return " <-> ".join(term.tsquery() for term in terms)


class Fold(Func):
    """fold() in SQL: `kl14_fold`, a function PostgreSQL gets from proposals' migration 0003 and
    SQLite from `register_sqlite_fold` on every connection."""

    function = "kl14_fold"
    output_field = TextField()


def padded_fold(*expressions):
    """The folded text of the expressions, with a space at each end (like search_text)."""
    parts = []
    for expression in expressions:
        parts += [expression, Value(" ")]
    return Concat(
        Value(" "),
        Fold(Concat(*parts, output_field=TextField())),
        Value(" "),
        output_field=TextField(),
    )


def register_sqlite_fold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("kl14_fold", 1, fold, deterministic=True)


def search(
    queryset: QuerySet, query: str, *, vector: str, text, vendor: str | None = None
) -> tuple[QuerySet, tuple]:
    """The rows matching every term of the query, and how to order them best first (empty when
    they are not ranked).

    PostgreSQL: the `vector` tsvector column (GIN-indexed, kept by a trigger). The rows holding
    the whole query as typed (its words one after another) come first, then by how often the
    terms occur (`ts_rank`). Cover density (`ts_rank_cd`) would also reward words standing near
    each other, at twice the query's time over a thousand matches (docs/scaling.md). Elsewhere:
    `text`, a field or expression of the folded, space-padded text, contains each term (no
    rank)."""
    terms = search_terms(query)
    if not terms:
        return queryset, ()
    if (vendor or connection.vendor) == "postgresql":
        every = SearchQuery(tsquery(terms), search_type="raw", config="simple")
        # alias(): computed only where a caller orders by them.
        queryset = queryset.filter(**{vector: every}).alias(
            search_rank=SearchRank(F(vector), every)
        )
        if len(terms) == 1:  # every match holds it as typed: nothing to test again
            return queryset, (F("search_rank").desc(),)
        phrase = SearchQuery(phrase_tsquery(terms), search_type="raw", config="simple")
        queryset = queryset.alias(
            search_as_typed=ExpressionWrapper(Q(**{vector: phrase}), output_field=BooleanField())
        )
        return queryset, (F("search_as_typed").desc(), F("search_rank").desc())
    if not isinstance(text, str):
        queryset = queryset.alias(search_folded=text)
        text = "search_folded"
    for term in terms:
        queryset = queryset.filter(**{f"{text}__contains": term.needle()})
    return queryset, ()
