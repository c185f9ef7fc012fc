"""Reads for the import pages: the admin's imports, a report's rows, and the open tasks of the
people whose posts end. Each runs a fixed number of queries whatever the number of rows."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from pilots.models import PlanMonitor
from proposals.models import DECISION_STATES, Proposal, ProposalAuthor, State
from units.models import Membership, Role, Unit

from .models import Action, ImportBatch, ImportRow

# Where a proposal's life is over: nobody has anything left to do on it.
CLOSED_STATES = (
    State.WITHDRAWN,
    State.REJECTED,
    State.SUCCEEDED,
    State.LIABILITY_EXCLUDED,
    State.EXEMPTED,
    State.REDUCED,
    State.HELD_RESPONSIBLE,
    State.RESPONSIBILITY_DECIDED,
    State.REFERRED,
    State.REPLICATED,
    State.INSTITUTIONALIZED,
)
# What a role must do in its unit, by state (lifecycle.md's "who" column).
ROLE_STATES = {
    Role.HEAD: (*DECISION_STATES, State.EVALUATING, State.RESPONSIBILITY_REVIEW),
    Role.DEPUTY: (State.UNDER_REVIEW,),
    Role.PARTY_COMMITTEE: (State.UNDER_REVIEW, State.EVALUATING),
}
HOME_HEAD_STATES = (State.APPROVED, State.IN_PROGRESS, State.SUSPENDED)
MONITORED_STATES = (State.APPROVED, State.IN_PROGRESS, State.SUSPENDED, State.ENDED)


def batches_of(user) -> QuerySet[ImportBatch]:
    batches = ImportBatch.objects.select_related("uploaded_by")
    if not user.is_superuser:
        batches = batches.filter(uploaded_by=user)
    return batches.order_by("-created_at", "-pk")


def rows_of(batch, outcome: str = "") -> QuerySet[ImportRow]:
    rows = batch.rows.all()
    if outcome in Action.values:
        rows = rows.filter(action=outcome)
    return rows.order_by("position")


def outcome_counts(batch) -> dict[str, int]:
    counts = dict.fromkeys(Action.values, 0)
    for action, count in _count_by_action(batch):
        counts[action] = count
    return counts


def _count_by_action(batch):
    from django.db.models import Count

    return batch.rows.values("action").annotate(n=Count("pk")).values_list("action", "n")


@dataclass
class Task:
    proposal: Proposal
    why: str  # "author", "monitor", or the role whose turn it is


@dataclass
class EndedPost:
    row: ImportRow
    user: object | None
    unit: Unit | None
    role: str
    tasks: list[Task] = field(default_factory=list)
    # The role stays with nobody in the unit (after the import): someone must be given it.
    uncovered: bool = False

    @property
    def role_label(self):
        return Role(self.role).label if self.role in Role.values else self.role


def ended_posts(batch) -> list[EndedPost]:
    """The posts a batch ends, each with the open work its holder leaves behind: proposals they
    author in that unit, pilots they monitor there, and what the role must decide there."""
    from .planning import role_names
    from .spreadsheet import normalise

    rows = list(batch.rows.filter(ends_post=True).order_by("position"))
    if not rows:
        return []
    roles = role_names()
    User = get_user_model()
    staff = {r.data.get("staff_code") for r in rows} - {"", None}
    names = {r.data.get("username") for r in rows} - {"", None}
    users = list(User.objects.filter(staff_code__in=staff)) + list(
        User.objects.filter(username__in=names)
    )
    by_staff = {u.staff_code: u for u in users if u.staff_code}
    by_name = {u.username: u for u in users}
    units = {
        u.code: u for u in Unit.objects.filter(code__in={r.data.get("unit_code") for r in rows})
    }
    posts = []
    for row in rows:
        user = by_staff.get(row.data.get("staff_code")) or by_name.get(row.data.get("username"))
        role = roles.get(normalise(row.data.get("role", "")), "")
        posts.append(EndedPost(row, user, units.get(row.data.get("unit_code")), role))
    posts = [p for p in posts if p.user is not None and p.unit is not None]
    user_ids = {p.user.pk for p in posts}
    unit_ids = {p.unit.pk for p in posts}

    authored = defaultdict(list)
    authorships = (
        ProposalAuthor.objects.filter(user_id__in=user_ids, proposal__home_unit_id__in=unit_ids)
        .exclude(proposal__state__in=CLOSED_STATES)
        .select_related("proposal")
        .order_by("proposal__code", "proposal__pk")
    )
    for authorship in authorships:
        proposal = authorship.proposal
        authored[(authorship.user_id, proposal.home_unit_id)].append(proposal)

    monitored = defaultdict(list)
    grants = (
        PlanMonitor.objects.filter(
            user_id__in=user_ids, content_object__proposal__state__in=MONITORED_STATES
        )
        .select_related("content_object__proposal__home_unit")
        .order_by("content_object__proposal__code")
    )
    for grant in grants:
        proposal = grant.content_object.proposal
        monitored[grant.user_id].append(proposal)
    unit_paths = {u.pk: u.path for u in units.values()}

    role_states = {s for states in ROLE_STATES.values() for s in states} | set(HOME_HEAD_STATES)
    waiting = list(
        Proposal.objects.filter(
            Q(state__in=role_states, deciding_unit_id__in=unit_ids)
            | Q(state__in=HOME_HEAD_STATES, home_unit_id__in=unit_ids)
        ).order_by("code", "pk")
    )
    # Who still holds each role once these posts end (in a dry run they have not ended yet).
    ending = {(p.user.pk, p.unit.pk, p.role) for p in posts}
    holders = {
        (unit_id, role)
        for unit_id, role, user_id in Membership.objects.filter(unit_id__in=unit_ids).values_list(
            "unit_id", "role", "user_id"
        )
        if (user_id, unit_id, role) not in ending
    }
    for post in posts:
        seen = set()

        def add(proposal, why, post=post, seen=seen):
            if proposal.pk not in seen:
                seen.add(proposal.pk)
                post.tasks.append(Task(proposal, why))

        for proposal in authored.get((post.user.pk, post.unit.pk), []):
            add(proposal, "author")
        for proposal in waiting:
            decides = proposal.deciding_unit_id == post.unit.pk
            if decides and proposal.state in ROLE_STATES.get(post.role, ()):
                add(proposal, post.role)
            home = proposal.home_unit_id == post.unit.pk
            if home and post.role == Role.HEAD and proposal.state in HOME_HEAD_STATES:
                add(proposal, post.role)
        for proposal in monitored.get(post.user.pk, []):
            if proposal.home_unit.path.startswith(unit_paths[post.unit.pk]):
                add(proposal, "monitor")
        post.uncovered = (post.unit.pk, post.role) not in holders
    return posts
