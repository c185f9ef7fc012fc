"""Which ledger events issue which official documents.

Each app declares the documents its decisions issue in `<app>/documents.py` (imported by
`autodiscover()` from DocumentsConfig.ready()):

    from documents.kinds import DocumentKind, Draft, register

    def build_approval(entry, proposal):
        return [Draft(unit=proposal.deciding_unit, signer=entry.actor, content={...})]

    register(DocumentKind("approval", event="approve", doc_type="QĐ", build=build_approval))

`build(entry, proposal)` runs inside the decision's transaction (keep it to a few queries) and
returns the drafts: usually one, one per person for per-person decisions, none when the entry
issues nothing. The content is frozen then; rendering reads only the content, so a document
re-rendered years later says what it said on the day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules


@dataclass
class Draft:
    unit: object  # the issuing Unit
    content: dict
    signer: object = None
    concerns: object = None  # the person a per-person document is about
    doc_type: str = ""  # overrides the kind's
    party_format: bool | None = None  # None: from the unit's kind


@dataclass(frozen=True)
class DocumentKind:
    name: str
    event: str
    doc_type: str
    build: Callable


_by_event: dict[str, list[DocumentKind]] = {}
_by_name: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    if kind.name in _by_name and _by_name[kind.name] is not kind:
        raise ImproperlyConfigured(f"document kind {kind.name!r} registered twice")
    _by_name[kind.name] = kind
    _by_event.setdefault(kind.event, []).append(kind)
    return kind


def for_event(event: str) -> list[DocumentKind]:
    return _by_event.get(event, [])


def get(name: str) -> DocumentKind | None:
    return _by_name.get(name)


def all_kinds() -> list[DocumentKind]:
    return list(_by_name.values())


def autodiscover():
    autodiscover_modules("documents")
