"""Reads of the unit tree. Each runs a fixed number of queries whatever the depth of the tree."""

from functools import reduce
from operator import or_

from django.db.models import Exists, Q, QuerySet

from .models import Membership, Role, Unit
from .roles import user_roles


def paths_q(paths, field: str = "path") -> Q:
    """Matches every unit at or under one of the given paths."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def outside_tree(root_path: str) -> Exists:
    """True (in SQL) when some unit lies outside the tree of the root at `root_path`, i.e. another
    root exists. A filter tests it once per query through the roots' index (unit_root), so a
    rule about "every unit under this root" can skip reading the units when it is false."""
    return Exists(Unit.objects.filter(depth=1).exclude(path=root_path))


def unit_ancestors(unit: Unit, *, include_self: bool = False) -> QuerySet[Unit]:
    return Unit.objects.filter(path__in=unit.ancestor_paths(include_self=include_self))


def unit_descendants(unit: Unit, *, include_self: bool = False) -> QuerySet[Unit]:
    qs = Unit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def unit_parent(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.parent_path).first()


def units_with_role(user, roles=None) -> QuerySet[Unit]:
    """Units where the user holds any of the roles (any role when none are given)."""
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Unit.objects.filter(pk__in=memberships.values("unit_id"))


def units_visible_to(user) -> QuerySet[Unit]:
    """The units a user belongs to and their subtrees."""
    if user.is_superuser:
        return Unit.objects.all()
    paths = user_roles(user).subtree_paths(*Role.values)
    return Unit.objects.filter(paths_q(paths))


def units_user_administers(user, *, include_descendants: bool = False) -> QuerySet[Unit]:
    if user.is_superuser:
        return Unit.objects.all()
    if not include_descendants:
        return units_with_role(user, [Role.ADMIN])
    return Unit.objects.filter(paths_q(user_roles(user).subtree_paths(Role.ADMIN)))


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")


def members_with_role(unit: Unit, roles) -> QuerySet[Membership]:
    return Membership.objects.filter(unit=unit, role__in=roles).select_related("user")


def with_parent_id(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotates parent_id in the same query (the tree keeps no parent column)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Length, Substr

    parent = Unit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    ).values("pk")[:1]
    return qs.annotate(parent_id=Subquery(parent))


def users_administered_by(user):
    """The accounts a unit admin manages: people whose every membership lies in the admin's
    subtree, and people with no membership yet. Someone who also serves elsewhere is managed
    there too, so not here: an admin must not reset the password of another unit's head."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    subtree = units_user_administers(user, include_descendants=True)
    outside = Membership.objects.exclude(unit__in=subtree)
    return users.filter(is_superuser=False).exclude(memberships__in=outside)
