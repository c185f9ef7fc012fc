import datetime
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kl14.errors import Forbidden, Invalid

from .models import Membership, PastMembership, Role, Unit
from .permissions import can_manage_unit
from .signals import unit_moved


def _check_code_free(code, exclude_pk=None):
    qs = Unit.objects.filter(code=code)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise Invalid(errors={"code": [_("A unit with this code already exists.")]})


@transaction.atomic
def unit_create(*, code: str, name: str, kind: str, parent: Unit | None, actor=None) -> Unit:
    if actor is not None:
        allowed = can_manage_unit(actor, parent) if parent else actor.is_superuser
        if not allowed:
            raise Forbidden()
    _check_code_free(code)
    fields = {"code": code, "name": name, "kind": kind}
    if parent is None:
        return Unit.objects.add_root(fields)
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), fields)


unit_create.alters_data = True


@transaction.atomic
def unit_update(*, unit: Unit, actor=None, parent: Unit | None = None, **fields) -> Unit:
    if actor is not None and not can_manage_unit(actor, unit):
        raise Forbidden()
    if "code" in fields:
        _check_code_free(fields["code"], exclude_pk=unit.pk)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.save(update_fields=list(fields))
    if parent is not None and parent.path != unit.parent_path:
        if actor is not None and not can_manage_unit(actor, parent):
            raise Forbidden()
        if parent.path.startswith(unit.path):
            raise Invalid(errors={"parent": [_("A unit cannot be moved under itself.")]})
        Unit.objects.move(unit, Unit.objects.get(pk=parent.pk), pos="sorted-child")
        unit.refresh_from_db()
        unit_moved.send(sender=Unit, unit=unit)
    return unit


unit_update.alters_data = True


@transaction.atomic
def membership_grant(
    *,
    user,
    unit: Unit,
    role: str,
    title: str = "",
    actor=None,
    started_on: datetime.date | None = None,
) -> Membership:
    if role not in Role.values:
        raise Invalid(errors={"role": [_("Unknown role.")]})
    if actor is not None and not can_manage_unit(actor, unit):
        raise Forbidden()
    membership, created = Membership.objects.get_or_create(
        user=user,
        unit=unit,
        role=role,
        defaults={"title": title, "started_on": started_on or timezone.localdate()},
    )
    if not created and title and membership.title != title:
        membership.title = title
        membership.save(update_fields=["title"])
    return membership


membership_grant.alters_data = True


@transaction.atomic
def membership_update(
    *, membership: Membership, title: str, started_on: datetime.date | None = None, actor=None
) -> Membership:
    if actor is not None and not can_manage_unit(actor, membership.unit):
        raise Forbidden()
    membership.title = title
    if started_on:
        membership.started_on = started_on
    membership.save(update_fields=["title", "started_on"])
    return membership


membership_update.alters_data = True


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    actor=None,
    ended_on: datetime.date | None = None,
    reason: str = "",
) -> PastMembership:
    """The person no longer holds this role here (moved, retired, changed post). The membership
    moves to the history; what they did stays theirs: proposals, votes and the ledger keep naming
    them, and nothing in the ledger changes."""
    if actor is not None and not can_manage_unit(actor, membership.unit):
        raise Forbidden()
    ended_on = ended_on or timezone.localdate()
    if ended_on < membership.started_on:
        raise Invalid(errors={"ended_on": [_("A membership cannot end before it started.")]})
    past = PastMembership.objects.create(
        **past_membership_fields(membership, ended_on=ended_on, reason=reason, actor=actor)
    )
    membership.delete()
    return past


membership_end.alters_data = True


def past_membership_fields(membership: Membership, *, ended_on, reason, actor) -> dict:
    """The history row of an ending membership (shared with bulk imports)."""
    return {
        "user_id": membership.user_id,
        "unit_id": membership.unit_id,
        "role": membership.role,
        "title": membership.title,
        "started_on": membership.started_on,
        "ended_on": ended_on,
        "reason": reason[:255],
        "ended_by": actor if actor is not None and actor.is_authenticated else None,
    }


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    """Kept for the admin's delete: a revoked membership is ended today, and kept in history."""
    membership_end(membership=membership, actor=actor)


membership_revoke.alters_data = True


BULK_BATCH = 1000


@transaction.atomic
def units_create_many(*, units: list[dict], actor=None) -> dict[str, Unit]:
    """Creates many units at once (a province from a spreadsheet): each dict holds code, name,
    kind and parent_code (a unit that exists or comes earlier in the list; None for a root).

    treebeard inserts one node at a time (several queries each, and sorted siblings shift); here
    each level of the new units is one INSERT batch, their materialised paths computed after the
    last existing child. A parent whose new children would sort before an existing child goes
    through treebeard's sorted insertion instead, so siblings stay in code order."""
    level_of: dict[str, int] = {}
    for spec in units:
        parent = spec.get("parent_code")
        level_of[spec["code"]] = level_of[parent] + 1 if parent in level_of else 0
    levels: dict[int, list[dict]] = {}
    for spec in units:
        levels.setdefault(level_of[spec["code"]], []).append(spec)
    created: dict[str, Unit] = {}
    for level in sorted(levels):
        _create_level(levels[level], actor, created)
    return created


units_create_many.alters_data = True


def _create_level(specs, actor, created) -> None:
    parent_codes = {s["parent_code"] for s in specs if s.get("parent_code")}
    parents = {}
    for start in range(0, len(parent_codes), BULK_BATCH):
        chunk = sorted(parent_codes)[start : start + BULK_BATCH]
        parents.update({u.code: u for u in Unit.objects.select_for_update().filter(code__in=chunk)})
    children: dict[str | None, list[dict]] = {}
    for spec in specs:
        code = spec.get("parent_code") or None
        if code is not None and code not in parents:
            raise Invalid(
                errors={"parent": [_("Unknown superior unit %(code)s.") % {"code": code}]}
            )
        if actor is not None:
            allowed = can_manage_unit(actor, parents[code]) if code else actor.is_superuser
            if not allowed:
                raise Forbidden()
        children.setdefault(code, []).append(spec)

    # The last existing child of each parent that has any: one query for the whole level.
    last_child: dict[str | None, tuple[str, str]] = {}  # parent code → (max code, last path)
    with_children = [parents[c] for c in children if c is not None and parents[c].numchild]
    queries = [Q(path__startswith=p.path, depth=p.depth + 1) for p in with_children]
    if None in children:
        queries.append(Q(depth=1))
    if queries:
        path_owner = {p.path: p.code for p in with_children}
        for path, code in Unit.objects.filter(reduce(or_, queries)).values_list("path", "code"):
            owner = path_owner.get(path[: -Unit.steplen]) if len(path) > Unit.steplen else None
            best = last_child.get(owner)
            last_child[owner] = (
                max(code, best[0]) if best else code,
                max(path, best[1]) if best else path,
            )

    new_rows = []
    for parent_code, specs_here in children.items():
        specs_here = sorted(specs_here, key=lambda s: s["code"])
        parent = parents.get(parent_code)
        existing = last_child.get(parent_code)
        if existing and specs_here[0]["code"] < existing[0]:
            # Would sort among the existing children: treebeard's sorted insertion moves them.
            for spec in specs_here:
                created[spec["code"]] = unit_create(
                    code=spec["code"],
                    name=spec["name"],
                    kind=spec["kind"],
                    parent=Unit.objects.get(pk=parent.pk) if parent else None,
                )
            continue
        depth = parent.depth + 1 if parent else 1
        step = Unit._str2int(existing[1][-Unit.steplen :]) if existing else 0
        for spec in specs_here:
            step += 1
            unit = Unit(
                code=spec["code"],
                name=spec["name"],
                kind=spec["kind"],
                depth=depth,
                numchild=0,
                path=Unit._get_path(parent.path if parent else None, depth, step),
            )
            new_rows.append(unit)
            created[spec["code"]] = unit
        if parent is not None:
            Unit.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(specs_here))
    Unit.objects.bulk_create(new_rows, batch_size=BULK_BATCH)


def _check_units(actor, unit_ids) -> None:
    if actor is None or actor.is_superuser:
        return
    for unit in Unit.objects.filter(pk__in=set(unit_ids)):
        if not can_manage_unit(actor, unit):
            raise Forbidden()


@transaction.atomic
def memberships_grant_many(*, grants: list[dict], actor=None) -> list[Membership]:
    """Many memberships at once (spreadsheet imports): each dict holds user_id, unit_id, role,
    title and started_on. The caller has checked that none exists yet (the unique constraint
    refuses a duplicate)."""
    _check_units(actor, [g["unit_id"] for g in grants])
    today = timezone.localdate()
    rows = [
        Membership(
            user_id=g["user_id"],
            unit_id=g["unit_id"],
            role=g["role"],
            title=g.get("title", ""),
            started_on=g.get("started_on") or today,
        )
        for g in grants
    ]
    for row in rows:
        if row.role not in Role.values:
            raise Invalid(errors={"role": [_("Unknown role.")]})
    return Membership.objects.bulk_create(rows, batch_size=BULK_BATCH)


memberships_grant_many.alters_data = True


@transaction.atomic
def memberships_update_many(*, changes: list[tuple[Membership, dict]], actor=None) -> None:
    _check_units(actor, [m.unit_id for m, _fields in changes])
    by_fields: dict[tuple, list[Membership]] = {}
    for membership, fields in changes:
        for name, value in fields.items():
            setattr(membership, name, value)
        by_fields.setdefault(tuple(sorted(fields)), []).append(membership)
    for fields, memberships in by_fields.items():
        Membership.objects.bulk_update(memberships, list(fields), batch_size=BULK_BATCH)


memberships_update_many.alters_data = True


@transaction.atomic
def memberships_end_many(
    *, ends: list[tuple[Membership, datetime.date, str]], actor=None
) -> list[PastMembership]:
    """Ends many memberships at once (moves and departures in an import), keeping each in the
    history, like membership_end."""
    _check_units(actor, [m.unit_id for m, _on, _reason in ends])
    for membership, ended_on, _reason in ends:
        if ended_on < membership.started_on:
            raise Invalid(errors={"ended_on": [_("A membership cannot end before it started.")]})
    past = PastMembership.objects.bulk_create(
        [
            PastMembership(**past_membership_fields(m, ended_on=on, reason=reason, actor=actor))
            for m, on, reason in ends
        ],
        batch_size=BULK_BATCH,
    )
    ids = [m.pk for m, _on, _reason in ends]
    for start in range(0, len(ids), BULK_BATCH):
        Membership.objects.filter(pk__in=ids[start : start + BULK_BATCH]).delete()
    return past


memberships_end_many.alters_data = True
