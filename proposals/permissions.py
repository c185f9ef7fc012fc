"""Who may see and do what with a proposal: the one place that answers it (lifecycle.md)."""

from functools import reduce
from operator import or_

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q

from kl14.errors import NotFound
from units.models import Membership, Role, Unit
from units.roles import user_roles
from units.selectors import outside_tree

from .models import DECISION_STATES, EDITABLE_STATES, Proposal, ProposalAuthor, State

# Roles that see the proposals decided in, or coming from, their own unit.
UNIT_ROLES = (Role.HEAD, Role.DEPUTY, Role.PARTY_COMMITTEE)
# Roles that see every proposal of their unit's subtree.
OVERSIGHT_ROLES = (Role.INSPECTOR, Role.ORGANIZATION_BOARD, Role.STANDING_COMMITTEE, Role.ADMIN)


def visible_branches(user) -> list[Q]:
    """Lifecycle.md, "Visibility", as separate conditions, each served by its own index: a list
    over millions of proposals reads each branch in order and merges them (kl14.keyset) rather
    than testing an OR of them on every row."""
    if not user.is_authenticated:
        return [Q(pk__in=[])]
    roles = user_roles(user)
    branches = [
        Q(pk__in=ProposalAuthor.objects.filter(user=user).values("proposal_id")),
    ]
    # Drafts are the authors' working papers: others see a proposal once it has been submitted.
    unit_ids = roles.unit_ids(*UNIT_ROLES)
    if unit_ids:
        branches.append(Q(deciding_unit_id__in=unit_ids, version__gt=0))
        branches.append(Q(home_unit_id__in=unit_ids, version__gt=0))
    for path in roles.subtree_paths(*OVERSIGHT_ROLES):
        branches.extend(_subtree_branches(path))
    heads = roles.unit_ids(Role.HEAD)
    if heads:
        # The head of the unit above an organization board decides what the board asks for
        # (recognition, replication: reviews.BoardRequest) and sees the proposal concerned.
        requests = apps.get_model("reviews", "BoardRequest").objects.filter(
            authority_unit_id__in=heads
        )
        asked = requests.exclude(authority_unit_id=F("board_unit_id")).values("proposal_id")
        branches.append(Q(pk__in=asked, version__gt=0))
    return branches


def _subtree_branches(path: str) -> list[Q]:
    """The submitted proposals of the units at or under `path`. Under a root that is every unit
    unless another root exists, which the database checks once per query (one probe of an index
    of the roots): the national boards then read the proposals alone, in the order of their
    index, instead of looking up each one's unit in the tree."""
    subtree = Q(home_unit_id__in=Unit.objects.filter(path__startswith=path).values("pk"))
    if len(path) != Unit.steplen:  # not a root
        return [subtree & Q(version__gt=0)]
    others = outside_tree(path)
    return [Q(~others, version__gt=0), Q(others) & subtree & Q(version__gt=0)]


def visible_q(user) -> Q:
    """Lifecycle.md, "Visibility", as one filter: who sees the whole proposal (its dossier, votes,
    opinions, ledger, reports and decisions). Publishing a lesson does not widen it (amendment
    "Published lessons"): everyone signed in reads the lesson (reviews.permissions.lesson_q)."""
    return reduce(or_, visible_branches(user))


def can_see(user, proposal) -> bool:
    """visible_q for one proposal already read: the same branches, answered from its row, its
    authors and the user's roles (held in memory for the request). A query only for what is
    not loaded yet: the authors, the home unit's path for an oversight role, a board's request
    for a head. tests/conformance/test_visibility.py holds both to lifecycle.md."""
    if not user.is_authenticated:
        return False
    roles = user_roles(user)
    if proposal.version > 0:
        unit_ids = roles.unit_ids(*UNIT_ROLES)
        if proposal.deciding_unit_id in unit_ids or proposal.home_unit_id in unit_ids:
            return True
        paths = roles.subtree_paths(*OVERSIGHT_ROLES)
        if paths and proposal.home_unit.path.startswith(tuple(paths)):
            return True
    if is_author(user, proposal):
        return True
    heads = roles.unit_ids(Role.HEAD)
    return bool(
        heads
        and proposal.version > 0
        and apps.get_model("reviews", "BoardRequest")
        .objects.filter(proposal_id=proposal.pk, authority_unit_id__in=heads)
        .exclude(authority_unit_id=F("board_unit_id"))
        .exists()
    )


def access_proposal(user, pk, *, queryset=None) -> Proposal:
    """The proposal if the user may see it, else NotFound (404): its existence does not leak.
    Read by its key, then checked by can_see: one short query instead of the visibility rule's
    branches compiled into it (a few milliseconds of the ORM's on every page of a proposal)."""
    qs = queryset if queryset is not None else Proposal.objects.all()
    try:
        proposal = qs.get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not can_see(user, proposal):
        raise NotFound()
    return proposal


def may_write(user) -> bool:
    """Whether the user may write a proposal: a member of some unit (the new proposal's form)."""
    return bool(user_roles(user).unit_ids())


def is_author(user, proposal) -> bool:
    cache = getattr(proposal, "_author_ids", None)
    if cache is None:
        prefetched = getattr(proposal, "_prefetched_objects_cache", {}).get("authorships")
        if prefetched is not None:
            cache = {authorship.user_id for authorship in prefetched}
        else:
            cache = set(proposal.authorships.values_list("user_id", flat=True))
        proposal._author_ids = cache
    return user.pk in cache


def is_deciding_head(user, proposal) -> bool:
    return proposal.deciding_unit_id is not None and user_roles(user).has(
        proposal.deciding_unit, Role.HEAD
    )


def decided_before(user, proposal) -> bool:
    """The user heads a unit that was deciding this proposal before it was escalated past it (a
    unit between its home unit and its deciding unit). Such a head acting on the decision is
    late (409: the proposal has moved on), not someone without a role in it (403)."""
    if proposal.deciding_unit_id is None or is_author(user, proposal):
        return False  # an author-head's proposal goes straight to the superior unit
    home, deciding = proposal.home_unit.path, proposal.deciding_unit.path
    return any(
        g.role == Role.HEAD and home.startswith(g.unit_path) and len(g.unit_path) > len(deciding)
        for g in user_roles(user).grants
    )


def is_home_head(user, proposal) -> bool:
    return user_roles(user).has(proposal.home_unit, Role.HEAD)


def author_heads_home(proposal) -> bool:
    """An author is a head of the home unit (Decree 73, Art. 7(4)): the superior unit decided the
    proposal, and nobody supervises their own proposal."""
    cached = getattr(proposal, "_author_heads_home", None)
    if cached is None:
        cached = Membership.objects.filter(
            unit_id=proposal.home_unit_id,
            role=Role.HEAD,
            user_id__in=ProposalAuthor.objects.filter(proposal_id=proposal.pk).values("user_id"),
        ).exists()
        proposal._author_heads_home = cached
    return cached


def author_heads_home_q() -> Q:
    """author_heads_home as a filter on proposals."""
    return Q(
        Exists(
            Membership.objects.filter(
                unit_id=OuterRef("home_unit_id"),
                role=Role.HEAD,
                user__authorships__proposal_id=OuterRef("pk"),
            )
        )
    )


def supervised_q(unit_ids) -> Q:
    """Proposals whose implementation a head of one of these units supervises."""
    heads_author = author_heads_home_q()
    return (Q(home_unit_id__in=unit_ids) & ~heads_author) | (
        Q(deciding_unit_id__in=unit_ids) & heads_author
    )


def supervising_unit(proposal):
    """The unit whose head supervises the implementation: the home unit, or the deciding unit when
    an author heads the home unit (separation of duties: the head who decided it)."""
    if proposal.deciding_unit_id is not None and author_heads_home(proposal):
        return proposal.deciding_unit
    return proposal.home_unit


def is_supervising_head(user, proposal) -> bool:
    """Fires every "head of home unit" step of lifecycle.md (the plan, start, adjustments, suspend,
    resume, terminate): the home unit's head, or the deciding unit's head when an author heads the
    home unit. An author never supervises their own proposal."""
    return user_roles(user).has(supervising_unit(proposal), Role.HEAD) and not is_author(
        user, proposal
    )


def is_implementer(user, proposal) -> bool:
    """Declares the work done (`complete`): an author, unless an author heads the home unit; then
    the supervising head, who ends the work as they started it."""
    if author_heads_home(proposal):
        return is_supervising_head(user, proposal)
    return is_author(user, proposal)


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


def sees_votes(user, proposal) -> bool:
    """Who voted what: only the collective that votes (head and deputies of the deciding unit who
    are not authors). Everyone else sees that voting is under way, and after the decision the
    tally, never names (amendment "Votes are secret while open")."""
    return is_eligible_voter(user, proposal)


def sees_tally(user, proposal) -> bool:
    """The counts of the current round: the collective at any time, others once it is decided."""
    return proposal.state not in DECISION_STATES or sees_votes(user, proposal)


# Ledger events that name a voter and their choice (at the decision, and at the evaluation in
# reviews): left out of what others see (the timeline, the ledger API); the decision's and the
# evaluation's own entries carry the tally.
SECRET_EVENTS = ("vote", "evaluation_vote")


def hidden_events(user, proposal) -> tuple[str, ...]:
    return () if sees_votes(user, proposal) else SECRET_EVENTS


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
