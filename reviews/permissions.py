"""Who may evaluate, decide responsibility, refer, replicate, institutionalise, recognise and
publish lessons (lifecycle.md); role checks only, the services check the state."""

from django.utils.translation import gettext as _

from kl14.errors import Forbidden, NotFound
from proposals.models import Proposal, State
from proposals.permissions import is_deciding_head, visible_q
from units.models import Role, Unit
from units.roles import user_roles
from units.selectors import paths_q

# Recognition follows success (Decree 73, Art. 10): succeeded, and what a success can become.
RECOGNITION_STATES = (State.SUCCEEDED, State.REPLICATED, State.INSTITUTIONALIZED)


def is_inspector_over(user, proposal) -> bool:
    """An inspector of the home unit or of one of its ancestors."""
    return user_roles(user).has_over(proposal.home_unit, Role.INSPECTOR)


def is_board_over(user, proposal) -> bool:
    """An organization board of the home unit or of one of its ancestors."""
    return user_roles(user).has_over(proposal.home_unit, Role.ORGANIZATION_BOARD)


def may_refer_abuse(user, proposal) -> bool:
    return is_inspector_over(user, proposal) or is_deciding_head(user, proposal)


# Role checks per transition of this stage: who may fire it, whatever the state.
TRANSITION_ACTORS = {
    "evaluate": is_deciding_head,
    "decide_responsibility": is_deciding_head,
    "refer_abuse": may_refer_abuse,
    "replicate": is_board_over,
    "institutionalize": is_board_over,
}


def may_fire(user, proposal, name: str) -> bool:
    check = TRANSITION_ACTORS.get(name)
    return bool(check and check(user, proposal))


def may_recognise(user, proposal) -> bool:
    return is_deciding_head(user, proposal) or is_board_over(user, proposal)


def can_recognise(user, proposal) -> bool:
    return proposal.state in RECOGNITION_STATES and may_recognise(user, proposal)


def may_publish_lesson(user, proposal) -> bool:
    return is_deciding_head(user, proposal)


def is_board_member(user) -> bool:
    return user_roles(user).has_any(Role.ORGANIZATION_BOARD)


def board_paths_over(user, unit) -> list[str]:
    """Paths of the units, ancestor-or-self of `unit`, where the user sits on the organization
    board; shallowest first."""
    return sorted(
        {
            g.unit_path
            for g in user_roles(user).grants
            if g.role == Role.ORGANIZATION_BOARD and unit.path.startswith(g.unit_path)
        },
        key=len,
    )


def board_units(user):
    """The top-most units where the user sits on the organization board (their subtrees cover
    every other one)."""
    return Unit.objects.filter(
        path__in=user_roles(user).subtree_paths(Role.ORGANIZATION_BOARD)
    ).order_by("path")


def board_subtree_units(user):
    """Every unit in the subtrees of the user's organization boards; 403 for anyone else."""
    if not is_board_member(user):
        raise Forbidden(_("This is for organization boards."))
    return Unit.objects.filter(
        paths_q(user_roles(user).subtree_paths(Role.ORGANIZATION_BOARD))
    ).order_by("path")


def access_board_unit(user, pk) -> Unit:
    """A unit in the subtree of one of the user's organization boards, else 404."""
    paths = user_roles(user).subtree_paths(Role.ORGANIZATION_BOARD)
    try:
        unit = Unit.objects.get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not any(unit.path.startswith(path) for path in paths):
        raise NotFound()
    return unit


def access_lesson(user, pk) -> Proposal:
    """A proposal published to the lessons library (or otherwise visible to the user and with a
    lesson), else 404."""
    try:
        return (
            Proposal.objects.filter(visible_q(user), lesson__isnull=False)
            .select_related("home_unit", "deciding_unit")
            .get(pk=pk)
        )
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
