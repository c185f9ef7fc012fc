"""Who may manage the working-day calendar: it is province-wide, so only the top of the tree."""

from units.models import Role, Unit
from units.roles import user_roles


def can_manage_calendar(user) -> bool:
    """Superusers and the `admin` members of a root unit (depth 1)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        grant.role == Role.ADMIN and len(grant.unit_path) == Unit.steplen
        for grant in user_roles(user).grants
    )
