"""A user's roles across the unit tree, loaded once per request and answered in memory."""

import json
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Aggregate, Func, OuterRef, QuerySet, Subquery, TextField

from .models import Membership, Role

# The annotation `with_grants` puts on a user: their memberships, read with their row.
GRANTS_COLUMN = "kl14_grants"


@dataclass(frozen=True)
class Grant:
    unit_id: int
    unit_path: str
    role: str


class UserRoles:
    def __init__(self, user):
        self.user = user

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        if not self.user.is_authenticated:
            return ()
        loaded = getattr(self.user, GRANTS_COLUMN, _NOT_LOADED)
        if loaded is not _NOT_LOADED:
            # Read with the user's row (with_grants): no query. Membership's own order.
            # JSON text (NULL without memberships).
            rows = sorted(map(tuple, json.loads(loaded or "[]")), key=lambda row: (row[1], row[2]))
        else:
            rows = Membership.objects.filter(user=self.user).values_list(
                "unit_id", "unit__path", "role"
            )
        return tuple(Grant(*row) for row in rows)

    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_any(self, *roles: str) -> bool:
        return any(grant.role in roles for grant in self.grants)

    def has(self, unit, *roles: str) -> bool:
        """A role held in exactly this unit."""
        return any(g.unit_id == unit.pk and g.role in roles for g in self.grants)

    def has_over(self, unit, *roles: str) -> bool:
        """A role held in this unit or any of its ancestors."""
        return any(g.role in roles and unit.path.startswith(g.unit_path) for g in self.grants)

    def unit_ids(self, *roles: str) -> set[int]:
        return {g.unit_id for g in self.grants if not roles or g.role in roles}

    def subtree_paths(self, *roles: str) -> list[str]:
        """Paths of the units where a role is held; every unit under them is in reach."""
        paths = sorted({g.unit_path for g in self.grants if g.role in roles})
        # Drop paths already covered by a shorter one, so filters stay small.
        kept: list[str] = []
        for path in paths:
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        return kept


_NOT_LOADED = object()


# JSON text, read with json.loads (not Django's JSONField and JSONArray, which on SQLite first probe
# the database for JSON support: queries of their own on a connection's first request).
class _JSONRow(Func):
    """The expressions as one JSON array."""

    function = "JSONB_BUILD_ARRAY"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_ARRAY", **extra_context)


class _JSONRows(Aggregate):
    """The rows' values as one JSON array (PostgreSQL's jsonb_agg, SQLite's json_group_array);
    NULL without rows."""

    function = "JSONB_AGG"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def with_grants(users: QuerySet) -> QuerySet:
    """The users with their memberships (unit, path, role) in the same query, as a correlated
    subquery: user_roles(user) then answers without reading them again. The signed-in user is
    loaded this way on every request (accounts.backends), so a page's navigation, permissions
    and visibility filters cost no query of memberships of their own."""
    grants = (
        Membership.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(rows=_JSONRows(_JSONRow("unit_id", "unit__path", "role")))
        .values("rows")
    )
    return users.annotate(**{GRANTS_COLUMN: Subquery(grants, output_field=TextField())})


def user_roles(user) -> UserRoles:
    """The roles of a user, cached on the user object for the rest of the request."""
    cached = getattr(user, "_kl14_roles", None)
    if cached is None:
        cached = UserRoles(user)
        if user.is_authenticated:
            user._kl14_roles = cached
    return cached


__all__ = ["Grant", "Role", "UserRoles", "user_roles", "with_grants"]
