"""Who may do what with units and memberships: the one place that answers it."""

from django.http import Http404

from .models import Role, Unit
from .roles import user_roles
from .selectors import units_visible_to


def can_manage_unit(user, unit: Unit) -> bool:
    """Admins manage their unit's subtree; superusers manage everything."""
    return user.is_superuser or user_roles(user).has_over(unit, Role.ADMIN)


def can_administer_any_unit(user) -> bool:
    return user.is_superuser or user_roles(user).has_any(Role.ADMIN)


def access_unit(user, pk) -> Unit:
    try:
        return units_visible_to(user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
