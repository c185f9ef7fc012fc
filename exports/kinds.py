"""What can be exported: each kind is registered by the app that owns its data (reviews: the
period report and the protection dossier) and answers four questions:

- `clean(user, params)`: may this user ask for it, with these parameters? Returns a `Request`
  (the normalised parameters and a title), or raises the domain error (400, 403, 404, 409);
- `build(job, progress)`: the file, as a `Built`; `progress(percent)` reports how far it got.
  Raises a domain error when the request can no longer be met (the requester lost sight of it);
- `check_access(user, job)`: may the requester still see what the file holds? NotFound if not;
- `is_current(job)`: is a finished file still what a new request would build?
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kl14.errors import Invalid


@dataclass(frozen=True)
class Request:
    params: dict
    title: str


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    content_type: str
    reference: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    label: object
    clean: Callable
    build: Callable
    check_access: Callable
    is_current: Callable = field(default=lambda job: True)


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _registry[kind.name] = kind
    return kind


def get(name) -> Kind:
    try:
        return _registry[name]
    except (KeyError, TypeError):
        raise Invalid(errors={"kind": [_("Choose what to export.")]}) from None


def choices() -> list[tuple[str, object]]:
    return [(kind.name, kind.label) for kind in _registry.values()]
