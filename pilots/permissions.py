"""Who may see and do what in the implementation stage (lifecycle.md: `start` … and the actions of
`in_progress`). Seeing a pilot is seeing its proposal (proposals.permissions.visible_q)."""

from kl14.errors import NotFound
from ledger.models import LedgerEntry
from proposals.models import Proposal, State
from proposals.permissions import (
    access_proposal,
    is_author,
    is_implementer,
    is_supervising_head,
)
from units.models import Role
from units.roles import user_roles

from .models import MONITOR_PERMISSION, Adjustment

# States in which the work is under way: inspections and adjustments happen here.
RUNNING_STATES = (State.IN_PROGRESS, State.SUSPENDED)
# States in which the current plan version awaits the approving head's co-signature.
COSIGN_STATES = (State.APPROVED, *RUNNING_STATES)
# States a pilot page lists (plan prepared or being prepared, work running or just ended).
PILOT_STATES = (State.APPROVED, State.IN_PROGRESS, State.SUSPENDED, State.ENDED)

_UNKNOWN = object()


def approving_head_id(proposal) -> int | None:
    """The person who brought the proposal into `approved` (the head who fired `approve`), read
    from the ledger: the one who co-signs the plan's risk declaration."""
    cached = getattr(proposal, "_approver_id", _UNKNOWN)
    if cached is _UNKNOWN:
        cached = (
            LedgerEntry.objects.filter(proposal_id=proposal.pk, to_state=State.APPROVED)
            .exclude(from_state=State.APPROVED)
            .order_by("-seq")
            .values_list("actor_id", flat=True)
            .first()
        )
        proposal._approver_id = cached
    return cached


def is_approving_head(user, proposal) -> bool:
    return user.is_authenticated and approving_head_id(proposal) == user.pk


def is_monitor(user, plan, proposal=None) -> bool:
    """Holds the plan's monitor grant and is still an inspector over the home unit."""
    if plan is None or not user.is_authenticated:
        return False
    proposal = proposal or plan.proposal
    return user_roles(user).has_over(proposal.home_unit, Role.INSPECTOR) and user.has_perm(
        f"pilots.{MONITOR_PERMISSION}", plan
    )


# Role checks per transition of this stage: who may fire it, whatever the state.
TRANSITION_ACTORS = {
    "start": is_supervising_head,
    "suspend": is_supervising_head,
    "resume": is_supervising_head,
    "terminate": is_supervising_head,
    "complete": is_implementer,
    "submit_final_report": is_author,
}


def may_fire(user, proposal, name: str) -> bool:
    check = TRANSITION_ACTORS.get(name)
    return bool(check and check(user, proposal))


def can_edit_plan(user, proposal) -> bool:
    return proposal.state == State.APPROVED and is_supervising_head(user, proposal)


def can_cosign(user, proposal, plan) -> bool:
    return (
        proposal.state in COSIGN_STATES
        and plan is not None
        and plan.version > 0
        and not plan.is_cosigned
        and is_approving_head(user, proposal)
    )


def can_file_report(user, proposal) -> bool:
    return proposal.state == State.IN_PROGRESS and is_author(user, proposal)


def can_mark_milestone(user, proposal) -> bool:
    return proposal.state == State.IN_PROGRESS and (
        is_author(user, proposal) or is_supervising_head(user, proposal)
    )


def can_inspect(user, proposal, plan) -> bool:
    return proposal.state in RUNNING_STATES and is_monitor(user, plan, proposal)


def can_request_adjustment(user, proposal) -> bool:
    return proposal.state in RUNNING_STATES and is_author(user, proposal)


def can_decide_adjustment(user, proposal) -> bool:
    return proposal.state in RUNNING_STATES and is_supervising_head(user, proposal)


def access_pilot(user, pk, *, queryset=None) -> Proposal:
    """The proposal, if the user may see it and it has reached the implementation stage (an
    approved proposal, or one with a plan); NotFound (404) otherwise."""
    qs = queryset if queryset is not None else Proposal.objects.select_related("home_unit")
    proposal = access_proposal(user, pk, queryset=qs)
    if proposal.state != State.APPROVED and plan_of(proposal) is None:
        raise NotFound()
    return proposal


def plan_of(proposal):
    """The proposal's implementation plan, or None (cached on the proposal by Django)."""
    try:
        return proposal.plan
    except Proposal.plan.RelatedObjectDoesNotExist:
        return None


def access_adjustment(user, pk) -> Adjustment:
    try:
        adjustment = Adjustment.objects.select_related("plan").get(pk=pk)
    except (Adjustment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    access_proposal(user, adjustment.plan.proposal_id)
    return adjustment
