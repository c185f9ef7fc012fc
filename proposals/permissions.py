"""Who may see and do what with a proposal: the one place that answers it (lifecycle.md)."""

from django.db.models import Q

from kl14.errors import NotFound
from units.models import Role
from units.roles import user_roles
from units.selectors import paths_q

from .models import DECISION_STATES, EDITABLE_STATES, Proposal, ProposalAuthor, State

# Roles that see the proposals decided in, or coming from, their own unit.
UNIT_ROLES = (Role.HEAD, Role.DEPUTY, Role.PARTY_COMMITTEE)
# Roles that see every proposal of their unit's subtree.
OVERSIGHT_ROLES = (Role.INSPECTOR, Role.ORGANIZATION_BOARD, Role.ADMIN)


def visible_q(user) -> Q:
    """Lifecycle.md, "Visibility", as one filter."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    roles = user_roles(user)
    q = Q(pk__in=ProposalAuthor.objects.filter(user=user).values("proposal_id"))
    q |= Q(published_at__isnull=False)
    # Drafts are the authors' working papers: others see a proposal once it has been submitted.
    by_role = Q(pk__in=[])
    unit_ids = roles.unit_ids(*UNIT_ROLES)
    if unit_ids:
        by_role |= Q(deciding_unit_id__in=unit_ids) | Q(home_unit_id__in=unit_ids)
    oversight = roles.subtree_paths(*OVERSIGHT_ROLES)
    if oversight:
        by_role |= paths_q(oversight, field="home_unit__path")
    if unit_ids or oversight:
        q |= by_role & Q(version__gt=0)
    return q


def access_proposal(user, pk, *, queryset=None) -> Proposal:
    """The proposal if the user may see it, else NotFound (404): its existence does not leak."""
    qs = queryset if queryset is not None else Proposal.objects.all()
    try:
        return qs.filter(visible_q(user)).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def is_author(user, proposal) -> bool:
    cache = getattr(proposal, "_author_ids", None)
    if cache is None:
        cache = set(proposal.authorships.values_list("user_id", flat=True))
        proposal._author_ids = cache
    return user.pk in cache


def is_deciding_head(user, proposal) -> bool:
    return proposal.deciding_unit_id is not None and user_roles(user).has(
        proposal.deciding_unit, Role.HEAD
    )


def is_home_head(user, proposal) -> bool:
    return user_roles(user).has(proposal.home_unit, Role.HEAD)


def is_party_committee(user, proposal) -> bool:
    return proposal.deciding_unit_id is not None and user_roles(user).has(
        proposal.deciding_unit, Role.PARTY_COMMITTEE
    )


def is_eligible_voter(user, proposal) -> bool:
    """Head and deputies of the deciding unit who are not authors (Decree 73, Art. 8(1))."""
    return (
        proposal.deciding_unit_id is not None
        and user_roles(user).has(proposal.deciding_unit, Role.HEAD, Role.DEPUTY)
        and not is_author(user, proposal)
    )


# Role checks per transition of this stage: who may fire it, whatever the state.
TRANSITION_ACTORS = {
    "submit": is_author,
    "withdraw": is_author,
    "open_review": is_deciding_head,
    "return_for_revision": is_deciding_head,
    "escalate": is_deciding_head,
    "approve": is_deciding_head,
    "reject": is_deciding_head,
}


def may_fire(user, proposal, name: str) -> bool:
    check = TRANSITION_ACTORS.get(name)
    return bool(check and check(user, proposal))


def can_edit(user, proposal) -> bool:
    return proposal.state in EDITABLE_STATES and is_author(user, proposal)


def can_delete(user, proposal) -> bool:
    return proposal.state == State.DRAFT and proposal.version == 0 and is_author(user, proposal)


def can_vote(user, proposal) -> bool:
    return proposal.state == State.UNDER_REVIEW and is_eligible_voter(user, proposal)


def can_record_opinion(user, proposal, stage="decision") -> bool:
    allowed_state = State.UNDER_REVIEW if stage == "decision" else State.EVALUATING
    return proposal.state == allowed_state and is_party_committee(user, proposal)


def in_decision(proposal) -> bool:
    return proposal.state in DECISION_STATES
