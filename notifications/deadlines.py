"""The registry of deadline kinds the reminders sweep reads.

Each app describes the deadlines of its own stage in its `deadlines.py` module (found by
`NotificationsConfig.ready()`) and registers a `DeadlineKind` for each: which open items it covers,
their due dates, who is responsible and which unit hears about it when the deadline passes.

Items are read in keyset pages of `batch_size` rows and described a whole page at a time; the
memberships, units and users that a page needs come from a `Directory` that caches them for the
whole sweep. A sweep over any number of items therefore runs a number of queries proportional to
the number of pages, never to the number of items.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Max, Min, QuerySet

from units.models import Membership, Role, Unit

__all__ = ["DeadlineItem", "DeadlineKind", "Directory", "Recipient", "get", "kinds", "register"]


@dataclass(frozen=True)
class DeadlineItem:
    """One open item with a deadline, as the sweep sees it."""

    item_id: int
    due: object  # datetime.date
    subject: str  # data, not prose: e.g. "DX-2026-000123 Một cửa điện tử"
    url: str
    unit_id: int | None  # the unit that must act (shown with the notification)
    unit_name: str
    responsible_ids: frozenset[int]
    # Whose head and organization board hear about it once it is overdue; None: nobody.
    escalation_unit_id: int | None


@dataclass(frozen=True)
class Recipient:
    id: int
    language: str
    email: str
    email_mode: str  # NotificationPreference.Email


class Directory:
    """Memberships, units and users looked up for a whole sweep: each is read once, in bulk."""

    def __init__(self):
        self._members: dict[tuple[int, str], frozenset[int]] = {}
        self._parent_ids: dict[str, int | None] = {}
        self._recipients: dict[int, Recipient] = {}

    def members(self, unit_ids: Iterable[int], roles: Iterable[str]) -> dict[int, frozenset[int]]:
        """{unit id: ids of the users holding any of `roles` there}."""
        unit_ids, roles = set(unit_ids), tuple(roles)
        missing = {u for u in unit_ids for r in roles if (u, r) not in self._members}
        if missing:
            found: dict[tuple[int, str], set[int]] = {(u, r): set() for u in missing for r in roles}
            rows = Membership.objects.filter(unit_id__in=missing, role__in=roles).values_list(
                "unit_id", "role", "user_id"
            )
            for unit_id, role, user_id in rows:
                found[(unit_id, role)].add(user_id)
            self._members.update({key: frozenset(ids) for key, ids in found.items()})
        return {
            unit_id: frozenset().union(*(self._members[(unit_id, r)] for r in roles))
            for unit_id in unit_ids
        }

    def parent_ids(self, units: Iterable[Unit]) -> dict[int, int | None]:
        """{unit id: id of its parent, None for a root}; the parents come from the paths."""
        units = list(units)
        missing = {u.parent_path for u in units if u.depth > 1} - set(self._parent_ids)
        if missing:
            found = dict(Unit.objects.filter(path__in=missing).values_list("path", "pk"))
            self._parent_ids.update({path: found.get(path) for path in missing})
        return {u.pk: self._parent_ids[u.parent_path] if u.depth > 1 else None for u in units}

    def recipients(self, user_ids: Iterable[int]) -> dict[int, Recipient]:
        from accounts.models import User

        from .models import NotificationPreference

        user_ids = set(user_ids)
        missing = user_ids - set(self._recipients)
        if missing:
            rows = User.objects.filter(pk__in=missing, is_active=True).values_list(
                "pk", "language", "email", "notification_preference__email"
            )
            for pk, language, email, mode in rows:
                self._recipients[pk] = Recipient(
                    pk, language, email, mode or NotificationPreference.Email.IMMEDIATE
                )
        return {pk: self._recipients[pk] for pk in user_ids if pk in self._recipients}

    def oversight(self, unit_ids: Iterable[int]) -> dict[int, frozenset[int]]:
        """The head and organization board of each unit: who hears about an overdue item."""
        return self.members(unit_ids, (Role.HEAD, Role.ORGANIZATION_BOARD))


class DeadlineKind:
    """A kind of deadline. Subclasses give `key`, `label`, `queryset()` and `describe()`."""

    key: str = ""
    label = ""  # a noun phrase, lazily translated: "decision on a proposal"
    batch_size = 1000

    def queryset(self, *, due_by) -> QuerySet:
        """The open items due on or before `due_by` (later ones need no reminder yet; returning
        a few more is harmless). With `.only()`, keep every field the model reads when a row is
        loaded (django-fsm's `state`): a deferred one costs a query per row."""
        raise NotImplementedError

    def describe(self, objects: list, *, directory: Directory) -> list[DeadlineItem]:
        """A page of objects from `queryset()` as items; one query or so per page, via directory."""
        raise NotImplementedError

    def key_range(self, *, due_by) -> tuple[int, int] | None:
        """The lowest and highest key of the items due by `due_by`; None if there is none."""
        keys = self.queryset(due_by=due_by).aggregate(low=Min("pk"), high=Max("pk"))
        return None if keys["low"] is None else (keys["low"], keys["high"])

    def batches(
        self,
        *,
        due_by,
        directory: Directory,
        part: int = 0,
        parts: int = 1,
        keys: tuple[int, int] | None = None,
    ) -> Iterator[list[DeadlineItem]]:
        """The items, a page at a time, by primary key (keyset pagination: no OFFSET).

        With `parts` > 1, only the `part`-th of as many equal ranges of `keys` (the kind's
        `key_range`, read once by whoever hands the parts out, so that every part cuts the same
        ranges however late it starts); the first and the last part also take whatever lies
        below or above them (items since), and with no `keys` (no item then) the first part
        takes all. So the parts share the items out, each exactly once. Ranges, not the key
        modulo `parts`: PostgreSQL cannot estimate how many rows a modulo keeps, and at a million
        proposals chose a plan 20 times slower for it."""
        queryset = self.queryset(due_by=due_by).order_by("pk")
        if parts > 1:
            if keys is None:
                if part > 0:
                    return
            else:
                low, high = keys
                span = -(-(high - low + 1) // parts)  # rounded up: no key left out
                if part > 0:
                    queryset = queryset.filter(pk__gte=low + part * span)
                if part < parts - 1:
                    queryset = queryset.filter(pk__lt=low + (part + 1) * span)
        last_pk = None
        while True:
            page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
            objects = list(page[: self.batch_size])
            if not objects:
                return
            yield self.describe(objects, directory=directory)
            if len(objects) < self.batch_size:
                return
            last_pk = objects[-1].pk

    def __repr__(self):
        return f"<DeadlineKind {self.key}>"


_registry: dict[str, DeadlineKind] = {}


def register(kind: DeadlineKind) -> DeadlineKind:
    """Adds a kind (an instance, or a class that is instantiated); returns it, so it decorates."""
    instance = kind() if isinstance(kind, type) else kind
    if not instance.key:
        raise ValueError("a deadline kind needs a key")
    _registry[instance.key] = instance
    return kind


def unregister(key: str) -> None:
    _registry.pop(key, None)


def kinds() -> list[DeadlineKind]:
    return [_registry[key] for key in sorted(_registry)]


def get(key: str) -> DeadlineKind:
    return _registry[key]
