"""Reads of proposals. Lists select their relations up front: a fixed number of queries per page."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kl14.search import padded_fold, search
from ledger.records import batch, rows_of
from ledger.selectors import LOAD, Verification, ledger_verify, one_snapshot
from units.models import Role
from units.roles import user_roles
from units.selectors import members_with_role

from .ballots import ballot_owed_q, my_choice, voting_states
from .hashing import version_hash
from .models import (
    DECISION_STATES,
    PLAN_FIELDS,
    QUALIFYING_REGULATION,
    Opinion,
    Proposal,
    ProposalAuthor,
    State,
    Vote,
)
from .permissions import visible_q
from .records import FROZEN_VERSIONS

# What a row of a list never shows: the plan's texts (not the regulation status, a badge), the
# summary and the search document. Read for 25 rows they were most of the list query's bytes.
NOT_IN_LISTS = (
    *(name for name in PLAN_FIELDS if name != "regulation_status"),
    "summary",
    "search_vector",
)


def _for_lists(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return (
        queryset.defer(*NOT_IN_LISTS)
        .select_related("home_unit", "deciding_unit")
        .prefetch_related(
            Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("user"))
        )
    )


def proposals_visible_to(user) -> QuerySet[Proposal]:
    return _for_lists(Proposal.objects.filter(visible_q(user)))


def proposals_of_page(pks) -> list[Proposal]:
    """The summaries of a page whose keys were chosen through the visibility rule (kl14.keyset:
    each key comes from one of `permissions.visible_branches`), with their units and authors:
    testing the rule again would compile and run its every branch once more for the same rows.
    Each proposal's authorships (with their users) are in `page_authorships`, from one query:
    `prefetch_related` would build a queryset per row, as long as the query itself."""
    proposals = list(
        Proposal.objects.filter(pk__in=pks)
        .defer(*PLAN_FIELDS, "search_vector")  # the plan's texts: not in a summary (api.md)
        .select_related("home_unit", "deciding_unit")
    )
    by_proposal = {proposal.pk: [] for proposal in proposals}
    for authorship in ProposalAuthor.objects.filter(proposal_id__in=pks).select_related("user"):
        by_proposal[authorship.proposal_id].append(authorship)
    for proposal in proposals:
        proposal.page_authorships = by_proposal[proposal.pk]
    return proposals


# The lists below select only proposals their user may see by the visibility rule itself (an
# author; the head, deputies or Party committee of the deciding unit of a submitted proposal), so
# they read one index (the authorships, or deciding unit and state) and skip the rule's OR.


def authored_ids(user) -> QuerySet:
    """The ids of the user's proposals, the latest updated first: a page of the cadre's list is
    cut on these alone, so the units of only that page's rows are joined (a prolific author's
    hundreds of rows are not)."""
    return (
        Proposal.objects.filter(authorships__user=user)
        .order_by("-updated_at", "-pk")
        .values_list("pk", flat=True)
    )


def authored_count(user) -> int:
    """How many proposals the user is an author of (as many as `authored_ids`, one authorship
    each): counted from the authors' index alone, without joining the proposals."""
    return ProposalAuthor.objects.filter(user=user).count()


# What a row of the cadre's list shows (proposals/_table_row.html, kind "mine"): its code, title,
# state, the regulation badge, the decision due date, and the deciding unit's name.
MINE_ROW = ("code", "title", "state", "regulation_status", "decision_due", "deciding_unit__name")


def proposals_in_order(keys: QuerySet) -> list[Proposal]:
    """The proposals of `keys`, an ordered queryset of keys cut to a page (a page of
    `authored_ids`), with what the cadre's list shows, in the keys' order: the page's keys and
    its rows are read in one query, the keys as a subquery, so only that page's rows join their
    deciding unit."""
    rows = Proposal.objects.filter(pk__in=keys).only(*MINE_ROW).select_related("deciding_unit")
    return list(rows.order_by(*keys.query.order_by))


def proposals_awaiting_decision(user) -> QuerySet[Proposal]:
    """The head's inbox: proposals in submitted or under_review decided in the head's units."""
    units = user_roles(user).unit_ids(Role.HEAD)
    return _for_lists(
        Proposal.objects.filter(state__in=DECISION_STATES, deciding_unit_id__in=units)
    ).order_by("decision_due", "submitted_at")


def _in_my_collective_vote(user) -> QuerySet[Proposal]:
    units = user_roles(user).unit_ids(Role.HEAD, Role.DEPUTY)
    return Proposal.objects.filter(state__in=voting_states(), deciding_unit_id__in=units).exclude(
        authorships__user=user
    )


def proposals_awaiting_vote(user) -> QuerySet[Proposal]:
    """Proposals on which the user's leadership collective votes now (proposals.ballots: the
    decision, the evaluation of the results), the user not being an author. `my_choice` is the
    user's ballot in that vote (None while not cast)."""
    return (
        _for_lists(_in_my_collective_vote(user))
        .annotate(my_choice=my_choice(user))
        .order_by("decision_due", "pk")
    )


def proposals_owing_my_ballot(user) -> QuerySet[Proposal]:
    """Those of proposals_awaiting_vote where the user has not cast their ballot yet, as bare
    rows: the badge on every page counts them without compiling a list's relations and
    annotations."""
    return _in_my_collective_vote(user).filter(ballot_owed_q(user))


def proposals_awaiting_opinion(user) -> QuerySet[Proposal]:
    units = user_roles(user).unit_ids(Role.PARTY_COMMITTEE)
    return (
        _for_lists(Proposal.objects.all())
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
    q |= (
        Q(deciding_unit_id__in=voters)
        & ballot_owed_q(user)
        & ~Exists(ProposalAuthor.objects.filter(proposal=OuterRef("pk"), user=user))
    )
    q |= Q(state__in=[State.UNDER_REVIEW, State.EVALUATING], deciding_unit_id__in=party)
    q |= Q(state=State.RETURNED, authorships__user=user)
    return proposals_visible_to(user).filter(q).distinct()


def search_proposals(queryset: QuerySet[Proposal], query: str) -> QuerySet[Proposal]:
    """Proposals whose code, title, summary or bottleneck hold every term of the query, ignoring
    case and diacritics (kl14.search): the GIN-indexed `search_vector` on PostgreSQL."""
    fields = (F("code"), F("title"), F("summary"), F("bottleneck"))
    queryset, _ranking = search(queryset, query, vector="search_vector", text=padded_fold(*fields))
    return queryset


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


@dataclass(frozen=True)
class Collective:
    """The leadership collective of the deciding unit that votes (Decree 73, Art. 8(1) and 18):
    its head and deputies who are not authors."""

    eligible: frozenset
    heads: frozenset


def _author_ids(proposal) -> set:
    """The authors' ids: from the authorships prefetched with the proposal, else one query."""
    prefetched = getattr(proposal, "_prefetched_objects_cache", {}).get("authorships")
    if prefetched is not None:
        return {a.user_id for a in prefetched}
    return set(proposal.authorships.values_list("user_id", flat=True))


def voting_collective(proposal, *, leaders=None) -> Collective:
    """`leaders`: the deciding unit's head and deputies (memberships) when the caller has read
    them already."""
    if proposal.deciding_unit_id is None:
        return Collective(frozenset(), frozenset())
    if leaders is None:
        pairs = list(
            members_with_role(proposal.deciding_unit, [Role.HEAD, Role.DEPUTY]).values_list(
                "user_id", "role"
            )
        )
    else:
        pairs = [(m.user_id, m.role) for m in leaders]
    authors = _author_ids(proposal)
    return Collective(
        eligible=frozenset({uid for uid, _ in pairs} - authors),
        heads=frozenset(uid for uid, role in pairs if role == Role.HEAD),
    )


def proposal_tally(proposal, *, leaders=None) -> Tally:
    """The votes of the current round. A page that read them already (`page_reads`) answers
    from its reading; `leaders` as in voting_collective."""
    read = getattr(proposal, "_page_reads", None)
    if read is not None:
        return read.tally
    if proposal.deciding_unit_id is None:
        return Tally(0, 0, 0, 0, False, False, frozenset(), ())
    collective = voting_collective(proposal, leaders=leaders)
    eligible, heads = collective.eligible, collective.heads
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
    """The latest opinion of the Party committee for the current round, or None (from the page's
    reading when there is one: `page_reads`)."""
    read = getattr(proposal, "_page_reads", None)
    if read is not None:
        return read.opinions.get(stage)
    return (
        Opinion.objects.filter(proposal=proposal, stage=stage, round=proposal.decision_round)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )


def _latest_of_round(opinions, proposal, stage):
    """current_opinion, picked from every opinion of the proposal already read."""
    matching = [o for o in opinions if o.stage == stage and o.round == proposal.decision_round]
    return max(matching, key=lambda o: (o.created_at, o.pk), default=None)


@dataclass(frozen=True)
class PageReads:
    tally: Tally
    opinions: dict  # stage -> the current opinion of that stage, or None


def page_reads(proposal, *, leaders, opinions) -> PageReads:
    """The tally and each stage's current opinion, read once for one page of `proposal` from the
    rows the page has read anyway (the deciding unit's head and deputies, every opinion of the
    proposal), and kept on this instance so that the page's buttons (their prerequisites and
    previews, proposals.transitions) ask proposal_tally and current_opinion without reading
    again. Only for an instance that renders a page: services read the proposal afresh under
    their lock (lock_proposal), never through it."""
    reads = PageReads(
        tally=proposal_tally(proposal, leaders=leaders),
        opinions={
            stage: _latest_of_round(opinions, proposal, stage) for stage in Opinion.Stage.values
        },
    )
    proposal._page_reads = reads
    return reads


REGULATED_WARNING = gettext_lazy(
    "The authors state that the matter is already regulated and the rule still fits practice: "
    "Decree 73/2023/NĐ-CP, Art. 5(1)(a) covers only matters not yet regulated, or regulated in a "
    "way that no longer fits practice."
)


def regulation_flag(proposal) -> str:
    """The warning for the deciders when the proposal is on a matter already regulated and the
    rule still fits (outside Art. 5(1)(a)), or ""."""
    if proposal.regulation_status and proposal.regulation_status not in QUALIFYING_REGULATION:
        return str(REGULATED_WARNING)
    return ""


def opinion_disagrees(proposal, stage=Opinion.Stage.DECISION) -> bool:
    """Whether the Party committee's current opinion at `stage` (this round's latest) is
    `disagree`. After such an opinion the head's approval, and the evaluation, need the head's
    written reasons, recorded like the vote override (amendment of 2026-11-29). Public: the
    reviews app asks it for the evaluation stage."""
    opinion = current_opinion(proposal, stage)
    return opinion is not None and opinion.stance == Opinion.Stance.DISAGREE


def approval_entry(proposal):
    """The ledger entry of the proposal's approval (the latest), or None."""
    from ledger.models import LedgerEntry

    if not proposal.decided_at:
        return None
    return LedgerEntry.objects.filter(proposal=proposal, event="approve").order_by("-seq").first()


# Checks that rows of the database still say what a ledger entry recorded: each takes
# (proposal, entry, is_last) and answers False when they disagree. Apps add their own.
RECORD_CHECKS: list = []


# Read through ledger.records.rows_of: for one proposal, or a chunk of them at once.
_STATES = Proposal.objects.only("state").order_by()


def _state_matches(proposal, entry, *, is_last) -> bool:
    """The proposal is (in the database) in the state its last entry moved it to."""
    if not is_last or not entry.to_state:
        return True
    return [row.state for row in rows_of(proposal, _STATES, "id")] == [entry.to_state]


_state_matches.kind = "state"  # its label: proposals/records.py
RECORD_CHECKS.append(_state_matches)


def proposal_verify(proposal, *, anchor=LOAD, read_in_snapshot=False) -> Verification:
    """The ledger chain, every frozen version still hashing to what the ledger recorded, the
    rows that mirror the ledger (the state, the decisions) still saying what it recorded, the
    chain as the latest signed checkpoint saw it (`anchor`, loaded unless given), and at least
    the entry that any state but a never-submitted draft implies. The rows the checks share (the
    frozen versions…) are read once (ledger.records.batch; the operators' command opens a batch
    of a whole chunk of proposals).

    The chain and the rows are read in one snapshot (ledger.selectors.one_snapshot, joined when
    the caller opened it), the proposal's row again inside it: a step committed meanwhile is seen
    whole or not at all, never as tampering. `read_in_snapshot`: the caller read `proposal` inside
    the snapshot it opened (the operators' command, a chunk at a time)."""
    with one_snapshot():
        if not read_in_snapshot:
            proposal = Proposal.objects.select_related("deciding_unit", "origin").get(
                pk=proposal.pk
            )
        return _verify(proposal, anchor)


def _verify(proposal, anchor) -> Verification:
    with batch([proposal]):
        valid = {
            version.content_hash
            for version in rows_of(proposal, FROZEN_VERSIONS)
            if version_hash(version.content) == version.content_hash
        }
        return ledger_verify(
            proposal,
            valid_dossier_hashes=valid,
            record_checks=RECORD_CHECKS,
            anchor=anchor,
            min_entries=0 if proposal.state == State.DRAFT and not proposal.version else 1,
        )


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
