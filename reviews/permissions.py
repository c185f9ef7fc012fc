"""Who may evaluate, decide responsibility, refer, institutionalise, propose or decide recognition
and replication, and publish lessons (lifecycle.md, Amendments 2026-11-29: the organization
board proposes recognition and replication, the competent authority decides them); role checks
only, the services check the state."""

from django.db.models import F, Q
from django.utils.translation import gettext as _

from kl14.errors import Forbidden, NotFound
from proposals.models import Proposal, State
from proposals.permissions import (
    is_author,
    is_deciding_head,
    is_eligible_voter,
    sees_votes,
    visible_q,
)
from units.models import Role, Unit
from units.roles import user_roles
from units.selectors import paths_q, unit_parent

from .models import AuthorityRole, BoardRequest

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


def is_superior_inspector(user, proposal) -> bool:
    """An inspector of a unit above the home unit (the inspection of the superior unit finds on an
    abuse case); never an author."""
    home = proposal.home_unit.path
    return any(
        g.role == Role.INSPECTOR and home.startswith(g.unit_path) and len(g.unit_path) < len(home)
        for g in user_roles(user).grants
    ) and not is_author(user, proposal)


def can_explain_abuse(user, proposal) -> bool:
    return proposal.state == State.ABUSE_REVIEW and is_author(user, proposal)


def can_cast_evaluation_ballot(user, proposal) -> bool:
    """The evaluation meeting's collective (Decree 73, Art. 18) votes on the outcome while the
    results are being evaluated: the decision's collective, authors excluded."""
    return proposal.state == State.EVALUATING and is_eligible_voter(user, proposal)


def sees_evaluation_ballots(user, proposal) -> bool:
    """Who voted what at the evaluation: the collective only, as at the decision."""
    return sees_votes(user, proposal)


def sees_evaluation_tally(user, proposal) -> bool:
    """The counts: the collective at any time, others once the evaluation is recorded."""
    return proposal.state != State.EVALUATING or sees_votes(user, proposal)


# Role checks per transition of this stage: who may fire it, whatever the state. `replicate` is
# not among them: only the approval of a board's request fires it (board_requests.py).
TRANSITION_ACTORS = {
    "evaluate": is_deciding_head,
    "decide_responsibility": is_deciding_head,
    "refer_abuse": may_refer_abuse,
    "conclude_abuse": is_superior_inspector,
    "institutionalize": is_board_over,
}


def may_fire(user, proposal, name: str) -> bool:
    check = TRANSITION_ACTORS.get(name)
    return bool(check and check(user, proposal))


# --- requests to the competent authority (the board proposes, the authority decides) ----------


def may_propose(user, proposal) -> bool:
    """An organization board over the home unit, not an author of the proposal."""
    return is_board_over(user, proposal) and not is_author(user, proposal)


def authority_unit_for(board_unit) -> Unit:
    """Where the head who decides a board's request sits: the unit above the board's unit, or
    the board's own unit at the root (where only the standing committee decides)."""
    return unit_parent(board_unit) or board_unit


def standing_committee_path(user, board_unit) -> str | None:
    """The deepest unit, ancestor-or-self of the board's, where the user sits on the standing
    committee of the Party committee; None when nowhere."""
    paths = [
        g.unit_path
        for g in user_roles(user).grants
        if g.role == Role.STANDING_COMMITTEE and board_unit.path.startswith(g.unit_path)
    ]
    return max(paths, key=len, default=None)


def deciding_capacity(user, board_request) -> str | None:
    """In what capacity the user may decide the request (AuthorityRole), or None. Never the
    board member who proposed it, nor an author of the proposal."""
    if user.pk == board_request.proposed_by_id or is_author(user, board_request.proposal):
        return None
    if standing_committee_path(user, board_request.board_unit) is not None:
        return AuthorityRole.STANDING_COMMITTEE
    above = board_request.authority_unit
    if above.pk != board_request.board_unit_id and user_roles(user).has(above, Role.HEAD):
        return AuthorityRole.HEAD
    return None


def may_decide(user, board_request) -> bool:
    return deciding_capacity(user, board_request) is not None


def may_withdraw(user, board_request) -> bool:
    """Any member of the organization board that proposed it."""
    return user_roles(user).has(board_request.board_unit, Role.ORGANIZATION_BOARD)


def is_authority(user) -> bool:
    """Someone who may be asked to decide a board's request somewhere: a head or a member of a
    standing committee."""
    return user_roles(user).has_any(Role.HEAD, Role.STANDING_COMMITTEE)


def authority_q(user) -> Q:
    """The board requests the user may be asked to decide (by role; the author and proposer
    exclusions are checked per request)."""
    roles = user_roles(user)
    q = Q(pk__in=[])
    standing = roles.subtree_paths(Role.STANDING_COMMITTEE)
    if standing:
        q |= paths_q(standing, field="board_unit__path")
    heads = roles.unit_ids(Role.HEAD)
    if heads:
        q |= Q(authority_unit_id__in=heads) & ~Q(authority_unit_id=F("board_unit_id"))
    return q


def access_board_request(user, pk, *, queryset=None) -> BoardRequest:
    """A request the user may see: on a proposal they see, or addressed to them; else 404."""
    qs = queryset if queryset is not None else BoardRequest.objects.all()
    try:
        return (
            qs.filter(
                Q(proposal__in=Proposal.objects.filter(visible_q(user)).values("pk"))
                | authority_q(user)
            )
            .select_related("proposal", "board_unit", "authority_unit")
            .get(pk=pk)
        )
    except (BoardRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def may_publish_lesson(user, proposal) -> bool:
    return is_deciding_head(user, proposal)


def is_board_member(user) -> bool:
    return user_roles(user).has_any(Role.ORGANIZATION_BOARD)


def may_list_board_requests(user) -> bool:
    """The list of board requests is for the competent authorities and the organization boards;
    others (an author, a proposal's head) open a request they may see from its proposal."""
    return is_authority(user) or is_board_member(user)


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


def lesson_q(user) -> Q:
    """Who reads a lesson: everyone signed in once it is published (amendment "Published
    lessons"), and those who see the proposal even while it is not."""
    return Q(published_at__isnull=False) | visible_q(user)


def access_lesson(user, pk) -> Proposal:
    """A proposal with a lesson the user may read, else 404."""
    try:
        return (
            Proposal.objects.filter(lesson_q(user), lesson__isnull=False)
            .select_related("home_unit", "deciding_unit")
            .get(pk=pk)
        )
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def sees_lesson_dossier(user, proposal) -> bool:
    """Whether a lesson's reader may also see the rest of the proposal (votes, opinions, the
    responsibility decision, the referral): those who could see it before it was published."""
    return Proposal.objects.filter(visible_q(user), pk=proposal.pk).exists()
