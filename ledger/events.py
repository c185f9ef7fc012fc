"""The one place where ledger events get their human labels and their payloads a readable
rendering.

Every app registers the events it writes in `<app>/events.py` (imported from its
AppConfig.ready()): the event's label, and for every key its payload may hold, a label and a
renderer (`Text()`, `Day()`, `Money()`, `Choice(SomeChoices)`, `UnitRef()`, `Hidden()`...). The
proposal page's timeline ("Diễn biến"), the API and the dossier read labels from here.

Strict mode (`KL14_LEDGER_STRICT_EVENTS`, on in the test and local settings): `ledger_append`
refuses an event that is not registered or a payload key that its event does not declare, so an
unlabelled event fails the tests of the service that writes it — it never reaches a person as
`liability_excluded`, `None` or raw JSON. Production never refuses a step for a missing label: the
page falls back to a neutral wording.

    from ledger.events import EventSpec, register, Text, Day, Choice, Hidden
    register(EventSpec("abuse_hearing", _("Hearing on the abuse case held"), {
        "date": Day(_("Date of the hearing")),
        "minutes": Text(_("Minutes")),
        "round": Hidden(),
    }))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kl14 import formats


class UnlabelledEvent(ImproperlyConfigured):
    """A ledger event, or a key of its payload, that has no human label in the registry."""


@dataclass
class Names:
    """Names of the units (by code) and people (by username) that payloads mention, loaded once
    for a whole timeline (see `names_for`)."""

    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


# --- renderers of payload values ----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """How one payload key reads: its label and how its value is written for a person."""

    label: object = ""

    hidden = False
    refers_to = ""  # "unit" or "user": the values are codes / usernames to look up

    def render(self, value, names: Names) -> str:
        return _text(value)

    def references(self, value) -> Iterable[str]:
        if not self.refers_to or value in (None, ""):
            return ()
        return value if isinstance(value, list) else (value,)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value) or "—"
    return str(value)


@dataclass(frozen=True)
class Text(Item):
    pass


@dataclass(frozen=True)
class Hidden(Item):
    """Kept in the ledger (and shown in the entry's technical details), not as a line."""

    hidden = True


@dataclass(frozen=True)
class YesNo(Item):
    def render(self, value, names):
        if value is None:
            return "—"
        return _("Yes") if value else _("No")


@dataclass(frozen=True)
class Day(Item):
    def render(self, value, names):
        try:
            return formats.day(value) or "—"
        except (TypeError, ValueError):
            return _text(value)


@dataclass(frozen=True)
class Moment(Item):
    def render(self, value, names):
        try:
            return formats.moment(value) or "—"
        except (TypeError, ValueError):
            return _text(value)


@dataclass(frozen=True)
class Money(Item):
    def render(self, value, names):
        return formats.money(value) or "—"


@dataclass(frozen=True)
class Number(Item):
    def render(self, value, names):
        if value is None or value == "":
            return "—"
        return formats.group_thousands(value)


@dataclass(frozen=True)
class Choice(Item):
    """A value of a Django `TextChoices` (or a dict value -> label)."""

    choices: object = None

    def render(self, value, names):
        return choice_label(self.choices, value)


@dataclass(frozen=True)
class UnitRef(Item):
    """A unit code (or a list of them), written as the unit's name."""

    refers_to = "unit"

    def render(self, value, names):
        if isinstance(value, list):
            return "\n".join(names.units.get(v, str(v)) for v in value) or "—"
        return names.units.get(value, _text(value))


@dataclass(frozen=True)
class UserRef(Item):
    """A username (or a list of them), written as the person's full name."""

    refers_to = "user"

    def render(self, value, names):
        if isinstance(value, list):
            return "\n".join(names.users.get(v, str(v)) for v in value) or "—"
        return names.users.get(value, _text(value))


@dataclass(frozen=True)
class Custom(Item):
    """Anything else: `render(value, names) -> str`; `refs(value) -> [(kind, key)]` names what
    it needs looked up ("unit" codes or "user" usernames)."""

    fn: Callable | None = None
    refs: Callable | None = None

    def render(self, value, names):
        return self.fn(value, names) if self.fn else _text(value)

    def typed_references(self, value):
        return self.refs(value) if self.refs and value not in (None, "") else ()


def choice_label(choices, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(choices, dict):
        return str(choices.get(value, value))
    try:
        return str(choices(value).label)
    except (ValueError, TypeError):
        return str(value)


def decimal_text(value) -> str:
    try:
        return formats.group_thousands(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    name: str
    label: object
    fields: dict = field(default_factory=dict)  # payload key -> Item
    # A label that depends on the payload (e.g. a changed vote): (payload) -> label or None.
    label_for: Callable | None = None

    def title(self, payload) -> str:
        if self.label_for is not None:
            special = self.label_for(payload or {})
            if special:
                return str(special)
        return str(self.label)


_registry: dict[str, EventSpec] = {}


def register(spec: EventSpec) -> EventSpec:
    for key, item in spec.fields.items():
        if not isinstance(item, Item):
            raise ImproperlyConfigured(f"ledger event {spec.name}: {key} is not an Item")
        if not item.hidden and not str(item.label):
            raise ImproperlyConfigured(f"ledger event {spec.name}: {key} has no label")
    _registry[spec.name] = spec
    return spec


def get(name: str) -> EventSpec | None:
    return _registry.get(name)


def all_specs() -> list[EventSpec]:
    return list(_registry.values())


def strict() -> bool:
    return getattr(settings, "KL14_LEDGER_STRICT_EVENTS", False)


def check(event: str, payload: dict) -> None:
    """Raises UnlabelledEvent when `event` or a key of `payload` has no label."""
    spec = _registry.get(event)
    if spec is None:
        raise UnlabelledEvent(
            f"ledger event {event!r} has no label: register it in its app's events.py "
            "(ledger.events.register)"
        )
    unknown = sorted(set(payload or {}) - set(spec.fields))
    if unknown:
        raise UnlabelledEvent(
            f"ledger event {event!r}: payload keys {unknown} have no label in its EventSpec"
        )


FALLBACK_LABEL = gettext_lazy("Recorded step")
FALLBACK_ITEM = gettext_lazy("Detail")


def event_title(event: str, payload=None) -> str:
    spec = _registry.get(event)
    return spec.title(payload) if spec else str(FALLBACK_LABEL)


def names_for(entries) -> Names:
    """The unit and user names every payload of `entries` mentions: two queries at most."""
    from accounts.models import User
    from units.models import Unit

    codes, usernames = set(), set()
    for entry in entries:
        spec = _registry.get(entry.event)
        if spec is None:
            continue
        for key, value in (entry.payload or {}).items():
            item = spec.fields.get(key)
            if item is None:
                continue
            pairs = (
                item.typed_references(value)
                if isinstance(item, Custom)
                else ((item.refers_to, ref) for ref in item.references(value))
            )
            for kind, ref in pairs:
                (codes if kind == "unit" else usernames).add(ref)
    names = Names()
    if codes:
        names.units = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    if usernames:
        names.users = {
            username: full_name or username
            for username, full_name in User.objects.filter(username__in=usernames).values_list(
                "username", "full_name"
            )
        }
    return names


def details(event: str, payload: dict, names: Names | None = None) -> list[tuple[str, str]]:
    """(label, text) lines of a payload, in the order its EventSpec declares them. Keys the spec
    does not know (only possible outside strict mode) read as a neutral "Detail" line, never as
    the key itself."""
    names = names or Names()
    payload = payload or {}
    spec = _registry.get(event)
    fields = spec.fields if spec else {}
    lines = []
    for key, item in fields.items():
        if key in payload and not item.hidden:
            lines.append((str(item.label), item.render(payload[key], names)))
    for key, value in payload.items():
        if key not in fields and not isinstance(value, dict | list):
            lines.append((str(FALLBACK_ITEM), _text(value)))
    return lines
