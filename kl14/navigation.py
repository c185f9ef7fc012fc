"""The navigation: each app registers its entries with the roles that see them."""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.dispatch import receiver
from django.test.signals import setting_changed
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kl14.links import plain_url


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
    # (count_badges), not one query per badge.
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


def navigation_url_names() -> set[str]:
    """The URL names of every registered entry, whoever sees it."""
    return {item.url_name for item in _registry.values()}


def items_for(user) -> list[dict]:
    from units.roles import user_roles

    if not user.is_authenticated:
        return []
    roles = user_roles(user).roles()
    visible = []
    rows: dict[str, Callable[[object], QuerySet]] = {}
    for item in sorted(_registry.values(), key=lambda i: (i.order, i.key)):
        allowed = (not item.roles or roles.intersection(item.roles)) or (
            user.is_superuser and item.superuser
        )
        if not allowed:
            continue
        try:
            url = plain_url(item.url_name)
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
            rows[item.key] = item.badge_rows
    counts = count_badges(user, rows)
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


def _together(user, querysets: dict[str, QuerySet]) -> QuerySet:
    """One row (the user's own) whose column n_i is the number of rows of the i-th queryset."""
    counts = {
        f"n_{number}": Subquery(
            queryset.order_by()
            .annotate(kl14_n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
            .values("kl14_n")
        )
        for number, queryset in enumerate(querysets.values())
    }
    return get_user_model().objects.filter(pk=user.pk).values(**counts)


# The compiled SQL of the badge counts, per user, grants and day (count_badges). Building a head's
# badge querysets through the visibility rules and compiling their subqueries took ~3.5 ms of
# every page at 1M (issue 12), the query itself 0.2 ms. The SQL depends on nothing else: the
# user, their memberships (units.roles.Grant: unit, path, role) and, for any rule by date, the
# day. A new membership, a moved unit or a new day is a new key; the oldest keys are dropped.
BADGE_SQL_KEEP = 2048
_badge_sql: OrderedDict[tuple, tuple[str, tuple]] = OrderedDict()
_badge_sql_lock = threading.Lock()


@receiver(setting_changed)
def _forget_badge_sql(**kwargs) -> None:
    """A test that changes a setting may change how the badges' querysets are built."""
    with _badge_sql_lock:
        _badge_sql.clear()


def _badge_key(user, keys: tuple[str, ...]) -> tuple:
    from units.roles import user_roles

    grants = user_roles(user).grants
    return (user.pk, user.is_superuser, grants, timezone.localdate(), keys)


def count_badges(user, rows: dict[str, Callable[[object], QuerySet]]) -> dict[str, int]:
    """The number of rows of each `rows(user)`, in one query (scalar subqueries of a select of the
    user's own row), from SQL compiled once per user, memberships and day (the querysets are
    built only on the first page of the day)."""
    if not rows:
        return {}
    keys = tuple(rows)
    cache_key = _badge_key(user, keys)
    with _badge_sql_lock:
        compiled = _badge_sql.get(cache_key)
        if compiled is not None:
            _badge_sql.move_to_end(cache_key)
    if compiled is None:
        queryset = _together(user, {key: rows[key](user) for key in keys})
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        compiled = (sql, tuple(params))
        with _badge_sql_lock:
            _badge_sql[cache_key] = compiled
            while len(_badge_sql) > BADGE_SQL_KEEP:
                _badge_sql.popitem(last=False)
    sql, params = compiled
    # The database is the router's answer now (a dashboard's replica_reads, or the primary), not
    # the one the SQL was first compiled under.
    using = get_user_model().objects.all().db
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:  # the user's row is gone (deleted meanwhile): no badges
        return dict.fromkeys(keys, 0)
    return {key: row[number] or 0 for number, key in enumerate(keys)}


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
