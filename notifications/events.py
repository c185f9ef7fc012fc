"""The registry of event notifications: who hears about a step of a proposal, and what they read.

Beside the deadline registry (`deadlines.py`), each app registers the events of its stage in its
own `notices.py` (found by `NotificationsConfig.ready()`; `<app>/events.py` holds the labels of
the ledger events, ledger/events.py), one call per event:

    events.register(
        "approve",                      # the ledger entry's event name
        to=events.authors,              # who hears about it (functions of the occurrence)
        title=_("Proposal %(code)s “%(title)s” was approved as a pilot"),
        body=_("…"),
        when=lambda o: o.payload.get("mode") == "pilot",
        your_turn=False,                # True: the recipients must act now ("your turn")
    )

`ledger_append` sends `ledger.signals.entry_appended` inside the transaction of every ledger entry;
`emit()` answers it there, so the notifications and their e-mails (outbox rows) commit or roll
back with the step itself. For each event registered under the entry's name whose `when` holds,
each recipient gets one notification, in their own language, with a link to the page where they
act, and an e-mail by their preference (immediate or the evening digest). Never the actor, never
an inactive account. A (ledger entry, recipient) pair is unique in the database: when two events
of one entry name the same person, the first registered wins, and delivering an entry again adds
nothing.

Texts are lazy translations formatted with the occurrence's parameters: `code`, `title` (of the
proposal), `unit` (the deciding unit), `home_unit`, `actor` (full name), plus what `params()`
returns; a parameter may be a lazy translation (a choice label) or a callable evaluated in the
recipient's language (`lambda: local_date(...)`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from units.models import Role

from .deadlines import Directory
from .models import Notification, NotificationKind

__all__ = [
    "Event",
    "Occurrence",
    "authors",
    "deciding_heads",
    "emit",
    "events_for",
    "home_heads",
    "party_committee",
    "proposal_page",
    "register",
    "supervising_heads",
    "voters",
]

Recipients = Callable[["Occurrence"], Iterable[int]]


@dataclass(frozen=True)
class Event:
    key: str  # "<ledger event>.<name>", unique
    ledger_event: str
    to: tuple[Recipients, ...]
    title: object  # lazy translation
    body: object = ""
    your_turn: bool = False
    when: Callable[["Occurrence"], bool] | None = None
    url: Callable[["Occurrence"], str] | None = None
    params: Callable[["Occurrence"], dict] | None = None

    def applies(self, occurrence) -> bool:
        return self.when is None or bool(self.when(occurrence))


_registry: dict[str, list[Event]] = {}


def register(
    ledger_event: str,
    *,
    to: Recipients | Iterable[Recipients],
    title,
    body="",
    your_turn: bool = False,
    when=None,
    url=None,
    params=None,
    name: str = "",
) -> Event:
    """Adds an event for the ledger entries named `ledger_event`; returns it."""
    recipients = (to,) if callable(to) else tuple(to)
    events = _registry.setdefault(ledger_event, [])
    key = f"{ledger_event}.{name or len(events) + 1}"
    if any(e.key == key for e in events):
        raise ValueError(f"event {key} is already registered")
    event = Event(key, ledger_event, recipients, title, body, your_turn, when, url, params)
    events.append(event)
    return event


def unregister(key: str) -> None:
    for events in _registry.values():
        events[:] = [e for e in events if e.key != key]


def events_for(ledger_event: str) -> list[Event]:
    return list(_registry.get(ledger_event, ()))


def registered() -> list[Event]:
    return [e for key in sorted(_registry) for e in _registry[key]]


class Occurrence:
    """One ledger entry as the events see it; look-ups are made once and cached."""

    def __init__(self, entry, proposal, directory: Directory | None = None):
        self.entry = entry
        self.proposal = proposal
        self.directory = directory or Directory()

    @property
    def payload(self) -> dict:
        return self.entry.payload or {}

    @cached_property
    def author_ids(self) -> frozenset[int]:
        return frozenset(self.proposal.authorships.values_list("user_id", flat=True))

    def members(self, unit_id, *roles) -> frozenset[int]:
        if unit_id is None:
            return frozenset()
        return self.directory.members([unit_id], roles)[unit_id]

    @cached_property
    def base_params(self) -> dict:
        from units.models import Unit

        proposal = self.proposal
        names = dict(
            Unit.objects.filter(
                pk__in={proposal.deciding_unit_id, proposal.home_unit_id} - {None}
            ).values_list("pk", "name")
        )
        actor = self.entry.actor
        return {
            "code": proposal.code,
            "title": proposal.title,
            "unit": names.get(proposal.deciding_unit_id) or names.get(proposal.home_unit_id, ""),
            "home_unit": names.get(proposal.home_unit_id, ""),
            "actor": actor.get_full_name() if actor is not None else "",
        }


# --- who: recipients of the common roles ------------------------------------------------------


def authors(o: Occurrence) -> frozenset[int]:
    return o.author_ids


def deciding_heads(o: Occurrence) -> frozenset[int]:
    return o.members(o.proposal.deciding_unit_id, Role.HEAD)


def home_heads(o: Occurrence) -> frozenset[int]:
    return o.members(o.proposal.home_unit_id, Role.HEAD)


def supervising_heads(o: Occurrence) -> frozenset[int]:
    """Who supervises the implementation: the home unit's head, or the deciding unit's head when
    an author heads the home unit (proposals.permissions.is_supervising_head)."""
    home = o.members(o.proposal.home_unit_id, Role.HEAD)
    if home & o.author_ids:
        return o.members(o.proposal.deciding_unit_id, Role.HEAD) - o.author_ids
    return home


def voters(o: Occurrence) -> frozenset[int]:
    """The leadership collective of the deciding unit: head and deputies who are not authors."""
    return o.members(o.proposal.deciding_unit_id, Role.HEAD, Role.DEPUTY) - o.author_ids


def party_committee(o: Occurrence) -> frozenset[int]:
    """The same-level Party committee: those who record its opinion for the deciding unit."""
    return o.members(o.proposal.deciding_unit_id, Role.PARTY_COMMITTEE)


def proposal_page(o: Occurrence) -> str:
    return reverse("proposals:detail", args=[o.proposal.pk])


def local_date(value) -> str:
    """An ISO date from a payload, in the current language's short format."""
    from datetime import date

    if not value:
        return ""
    return date_format(date.fromisoformat(str(value)[:10]), "SHORT_DATE_FORMAT")


# --- emitting -----------------------------------------------------------------------------------


def emit(entry, proposal) -> list[Notification]:
    """The notifications of one ledger entry, with their e-mails; call inside its transaction."""
    from . import outbox

    events = _registry.get(entry.event)
    if not events:
        return []
    occurrence = Occurrence(entry, proposal)
    chosen: dict[int, Event] = {}
    for event in events:
        if not event.applies(occurrence):
            continue
        for recipients in event.to:
            for user_id in recipients(occurrence):
                if user_id != entry.actor_id:
                    chosen.setdefault(user_id, event)
    if not chosen:
        return []
    people = occurrence.directory.recipients(chosen)
    already = set(
        Notification.objects.filter(entry=entry, recipient_id__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    extra = {e.key: (e.params(occurrence) if e.params else {}) for e in set(chosen.values())}
    urls = {
        e.key: (e.url or proposal_page)(occurrence)
        for e in {chosen[pk] for pk in people if pk not in already}
    }
    rows = []
    for user_id in sorted(people):
        if user_id in already:
            continue
        event, language = chosen[user_id], people[user_id].language
        if (event.key, language) not in texts:
            texts[(event.key, language)] = _render(event, occurrence, extra[event.key], language)
        title, body = texts[(event.key, language)]
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=NotificationKind.ACTION if event.your_turn else NotificationKind.UPDATE,
                title=title,
                body=body,
                url=urls[event.key],
                unit_id=proposal.home_unit_id,
                entry=entry,
                event=event.key,
                created_at=entry.at,
            )
        )
    rows = Notification.objects.bulk_create(rows)
    outbox.emails_for_notifications(rows, people)
    return rows


def _render(event: Event, occurrence: Occurrence, extra: dict, language: str) -> tuple[str, str]:
    with translation.override(language):
        params = {}
        for key, value in {**occurrence.base_params, **extra}.items():
            if callable(value):  # e.g. a date, formatted in the recipient's language
                value = value()
            params[key] = "" if value is None else str(value)
        title = str(event.title) % params
        body = str(event.body) % params if event.body else ""
    return " ".join(title.split())[:400], body


def on_entry_appended(sender, *, entry, proposal, **kwargs):
    emit(entry, proposal)
