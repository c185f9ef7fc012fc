"""The navigation: each app registers its entries with the roles that see them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    description: str = ""
    order: int = 100
    superuser: bool = field(default=False)
    # Optional count shown beside the label (e.g. unread notifications); one cheap query at most.
    badge: Callable[[object], int | None] | None = None


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user) -> list[dict]:
    from units.roles import user_roles

    if not user.is_authenticated:
        return []
    roles = user_roles(user).roles()
    visible = []
    for item in sorted(_registry.values(), key=lambda i: (i.order, i.key)):
        allowed = (not item.roles or roles.intersection(item.roles)) or (
            user.is_superuser and item.superuser
        )
        if not allowed:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "description": item.description,
                "badge": item.badge(user) if item.badge else None,
            }
        )
    return visible


def register_defaults() -> None:
    register(NavItem("home", _("Home"), "home", order=0, description=_("Your units and roles.")))
    register(
        NavItem(
            "admin",
            _("Administration"),
            "admin:index",
            roles=("admin",),
            superuser=True,
            order=900,
            description=_("Manage the units, memberships and accounts of your subtree."),
        )
    )
