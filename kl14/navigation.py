"""The navigation: each app registers its entries with the roles that see them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
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
    # Optional count shown beside the label (e.g. unread notifications): the rows it counts, as a
    # queryset; the counts of every item of a page are read together, in one query
    # (count_together), not one query per badge.
    badge_rows: Callable[[object], QuerySet] | None = None
    # What the count means, for screen readers ("unread", "waiting"…).
    badge_label: str = _("waiting")
    # Items of one group share a drop-down menu in the navigation bar (see GROUPS).
    group: str = ""


# Menu groups of the navigation bar, in order.
GROUPS = {
    "proposals": _("Proposals"),
    "pilots": _("Pilots"),
    "reviews": _("Reviews"),
    "system": _("More"),
}


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user) -> list[dict]:
    from units.roles import user_roles

    if not user.is_authenticated:
        return []
    roles = user_roles(user).roles()
    visible = []
    rows: dict[str, QuerySet] = {}
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
                "badge": None,
                "badge_label": item.badge_label,
                "group": item.group,
            }
        )
        if item.badge_rows:
            rows[item.key] = item.badge_rows(user)
    counts = count_together(user, rows)
    for entry in visible:
        if entry["key"] in counts:
            entry["badge"] = counts[entry["key"]]
    return visible


def items_for_request(request) -> list[dict]:
    """items_for(request.user), read once per request (the layout and the home page share it)."""
    items = getattr(request, "_kl14_nav_items", None)
    if items is None:
        items = request._kl14_nav_items = items_for(request.user)
    return items


def count_together(user, querysets: dict[str, QuerySet]) -> dict[str, int]:
    """The number of rows of each queryset, in one query: scalar subqueries of a select of the
    user's own row (one queryset: its plain COUNT)."""
    if len(querysets) <= 1:
        return {key: queryset.count() for key, queryset in querysets.items()}
    counts = {
        f"n_{number}": Subquery(
            queryset.order_by()
            .annotate(kl14_n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
            .values("kl14_n")
        )
        for number, queryset in enumerate(querysets.values())
    }
    row = get_user_model().objects.filter(pk=user.pk).values(**counts).get()
    return {key: row[f"n_{number}"] or 0 for number, key in enumerate(querysets)}


def menu_of(items: list[dict]) -> list[dict]:
    """The navigation bar: single links, and a drop-down per group that has several items."""
    menu: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        key = item["group"]
        if not key:
            menu.append({"item": item})
            continue
        if key not in groups:
            groups[key] = {"group": key, "label": GROUPS.get(key, key), "items": []}
            menu.append(groups[key])
        groups[key]["items"].append(item)
    for entry in menu:
        if "items" in entry:
            entry["badge"] = sum(i["badge"] or 0 for i in entry["items"]) or None
            if len(entry["items"]) == 1:
                entry["item"] = entry.pop("items")[0]
    return menu


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
            group="system",
            description=_("Manage the units, memberships and accounts of your subtree."),
        )
    )
