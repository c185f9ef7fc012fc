"""A user's roles across the unit tree, loaded once per request and answered in memory."""

from dataclasses import dataclass
from functools import cached_property

from .models import Membership, Role


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


def user_roles(user) -> UserRoles:
    """The roles of a user, cached on the user object for the rest of the request."""
    cached = getattr(user, "_kl14_roles", None)
    if cached is None:
        cached = UserRoles(user)
        if user.is_authenticated:
            user._kl14_roles = cached
    return cached


__all__ = ["Grant", "Role", "UserRoles", "user_roles"]
