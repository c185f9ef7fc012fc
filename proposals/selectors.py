"""Reads of proposals. Lists select their relations up front: a fixed number of queries per page."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ledger.selectors import Verification, ledger_verify
from units.models import Role
from units.roles import user_roles
from units.selectors import members_with_role

from .hashing import version_hash
from .models import DECISION_STATES, Opinion, Proposal, ProposalAuthor, State, Vote
from .permissions import visible_q


def proposals_visible_to(user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(visible_q(user))
        .select_related("home_unit", "deciding_unit", "created_by")
        .prefetch_related(
            Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("user"))
        )
    )


def proposals_authored_by(user) -> QuerySet[Proposal]:
    return proposals_visible_to(user).filter(authorships__user=user).order_by("-updated_at")


def proposals_awaiting_decision(user) -> QuerySet[Proposal]:
    """The head's inbox: proposals in submitted or under_review decided in the head's units."""
    units = user_roles(user).unit_ids(Role.HEAD)
    return (
        proposals_visible_to(user)
        .filter(state__in=DECISION_STATES, deciding_unit_id__in=units)
        .order_by("decision_due", "submitted_at")
    )


def proposals_awaiting_vote(user) -> QuerySet[Proposal]:
    units = user_roles(user).unit_ids(Role.HEAD, Role.DEPUTY)
    return (
        proposals_visible_to(user)
        .filter(state=State.UNDER_REVIEW, deciding_unit_id__in=units)
        .exclude(authorships__user=user)
        .order_by("decision_due")
    )


def proposals_awaiting_opinion(user) -> QuerySet[Proposal]:
    units = user_roles(user).unit_ids(Role.PARTY_COMMITTEE)
    return (
        proposals_visible_to(user)
        .filter(deciding_unit_id__in=units)
        .filter(Q(state=State.UNDER_REVIEW) | Q(state=State.EVALUATING))
        .order_by("decision_due")
    )


def proposals_awaiting(user) -> QuerySet[Proposal]:
    """Everything where this user must act now (api.md `awaiting_me=true`)."""
    roles = user_roles(user)
    heads = roles.unit_ids(Role.HEAD)
    voters = roles.unit_ids(Role.HEAD, Role.DEPUTY)
    party = roles.unit_ids(Role.PARTY_COMMITTEE)
    q = Q(state__in=DECISION_STATES, deciding_unit_id__in=heads)
    q |= Q(state=State.UNDER_REVIEW, deciding_unit_id__in=voters) & ~Q(
        pk__in=Vote.objects.filter(voter=user).values("proposal_id")
    )
    q |= Q(state__in=[State.UNDER_REVIEW, State.EVALUATING], deciding_unit_id__in=party)
    q |= Q(state=State.RETURNED, authorships__user=user)
    return proposals_visible_to(user).filter(q).distinct()


def overdue_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(state__in=DECISION_STATES, decision_due__lt=today)


def is_overdue(proposal, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        proposal.state in DECISION_STATES
        and proposal.decision_due is not None
        and proposal.decision_due < today
    )


@dataclass(frozen=True)
class Tally:
    eligible: int
    votes_for: int
    against: int
    abstain: int
    head_for: bool
    passed: bool
    voter_ids: frozenset
    votes: tuple

    def as_dict(self):
        return {
            "eligible": self.eligible,
            "for": self.votes_for,
            "against": self.against,
            "abstain": self.abstain,
            "passed": self.passed,
        }


def vote_passes(*, eligible: int, votes_for: int, head_for: bool) -> bool:
    """Decree 73, Art. 8(1): more than half of the eligible voters in favour; at exactly half,
    the head's vote decides."""
    if eligible == 0:
        return False
    if votes_for * 2 > eligible:
        return True
    return votes_for * 2 == eligible and head_for


def proposal_tally(proposal) -> Tally:
    if proposal.deciding_unit_id is None:
        return Tally(0, 0, 0, 0, False, False, frozenset(), ())
    leaders = list(
        members_with_role(proposal.deciding_unit, [Role.HEAD, Role.DEPUTY]).values_list(
            "user_id", "role"
        )
    )
    authors = set(proposal.authorships.values_list("user_id", flat=True))
    eligible = {uid for uid, _ in leaders} - authors
    heads = {uid for uid, role in leaders if role == Role.HEAD}
    votes = tuple(
        Vote.objects.filter(proposal=proposal, round=proposal.decision_round, voter_id__in=eligible)
        .select_related("voter")
        .order_by("cast_at")
    )
    counts = dict.fromkeys(Vote.Choice.values, 0)
    for vote in votes:
        counts[vote.choice] += 1
    head_for = any(v.voter_id in heads and v.choice == Vote.Choice.FOR for v in votes)
    return Tally(
        eligible=len(eligible),
        votes_for=counts["for"],
        against=counts["against"],
        abstain=counts["abstain"],
        head_for=head_for,
        passed=vote_passes(eligible=len(eligible), votes_for=counts["for"], head_for=head_for),
        voter_ids=frozenset(eligible),
        votes=votes,
    )


def current_opinion(proposal, stage=Opinion.Stage.DECISION):
    """The latest opinion of the Party committee for the current round, or None."""
    return (
        Opinion.objects.filter(proposal=proposal, stage=stage, round=proposal.decision_round)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )


# Checks that rows of the database still say what a ledger entry recorded: each takes
# (proposal, entry, is_last) and answers False when they disagree. Apps add their own.
RECORD_CHECKS: list = []


def _state_matches(proposal, entry, *, is_last) -> bool:
    """The proposal is (in the database) in the state its last entry moved it to."""
    if not is_last or not entry.to_state:
        return True
    return Proposal.objects.filter(pk=proposal.pk, state=entry.to_state).exists()


RECORD_CHECKS.append(_state_matches)


def proposal_verify(proposal) -> Verification:
    """The ledger chain, every frozen version still hashing to what the ledger recorded, and the
    rows that mirror the ledger (the state, the decisions) still saying what it recorded."""
    valid = {
        version.content_hash
        for version in proposal.versions.all()
        if version_hash(version.content) == version.content_hash
    }
    return ledger_verify(proposal, valid_dossier_hashes=valid, record_checks=RECORD_CHECKS)


def authors_of(proposal) -> list:
    return [a.user for a in proposal.authorships.all()]


# --- comparing frozen versions ---

VERSION_EXTRAS = ("home_unit", "authors", "attachments")


def version_field_label(name: str) -> str:
    """A readable label for a field of a frozen version (the dossier fields' verbose names)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.translation import gettext as _

    extras = {"home_unit": _("Home unit"), "authors": _("Authors"), "attachments": _("Attachments")}
    if name in extras:
        return str(extras[name])
    try:
        return str(Proposal._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


def version_changes(old: dict, new: dict) -> list[tuple[str, object, object]]:
    """(field, old value, new value) for every field that differs between two frozen contents
    (proposals.hashing.dossier_snapshot): the dossier fields in the order of the form, then the
    home unit, authors and attachments."""
    from .models import DOSSIER_FIELDS

    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    names = [*DOSSIER_FIELDS, *(n for n in {**old_fields, **new_fields} if n not in DOSSIER_FIELDS)]
    pairs = [(name, old_fields.get(name), new_fields.get(name)) for name in names]
    pairs += [(name, old.get(name), new.get(name)) for name in VERSION_EXTRAS]
    return [(name, before, after) for name, before, after in pairs if before != after]
