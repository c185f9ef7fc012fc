from django.db import transaction
from django.utils.translation import gettext as _

from kl14.errors import Forbidden, Invalid

from .models import Membership, Role, Unit
from .permissions import can_manage_unit


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
    return unit


unit_update.alters_data = True


@transaction.atomic
def membership_grant(*, user, unit: Unit, role: str, title: str = "", actor=None) -> Membership:
    if role not in Role.values:
        raise Invalid(errors={"role": [_("Unknown role.")]})
    if actor is not None and not can_manage_unit(actor, unit):
        raise Forbidden()
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, role=role, defaults={"title": title}
    )
    if not created and title and membership.title != title:
        membership.title = title
        membership.save(update_fields=["title"])
    return membership


membership_grant.alters_data = True


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    if actor is not None and not can_manage_unit(actor, membership.unit):
        raise Forbidden()
    membership.delete()


membership_revoke.alters_data = True
