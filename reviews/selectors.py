"""Reads of the review stage. Lists select or prefetch what they show: a fixed number of queries
whatever the number of rows."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from kl14.paging import Paginator
from kl14.search import search
from proposals.models import Opinion, Proposal, ProposalAuthor, State
from proposals.permissions import visible_q
from proposals.selectors import current_opinion
from units.models import Role
from units.roles import user_roles
from units.selectors import paths_q

from . import pilot_data
from .models import (
    Adoption,
    BoardRequest,
    Lesson,
    Recognition,
    Replication,
    RequestState,
    ResponsibilityDecision,
)
from .permissions import lesson_q
from .responsibility import explanation_deadline, person_rows
from .rules import evaluation_due, responsibility_due

# --- the review of one proposal ---------------------------------------------------------------


def _one(model_attr, proposal):
    try:
        return getattr(proposal, model_attr)
    except Proposal._meta.get_field(model_attr).related_model.DoesNotExist:
        return None


@dataclass
class ReviewRecord:
    """What the review stage recorded for one proposal."""

    proposal: Proposal
    evaluation: object = None
    evaluation_opinion: object = None
    responsibility: object = None  # the decision when there is one (one author, or before 2026-11)
    responsibilities: list = field(default_factory=list)  # one per author
    persons: list = field(default_factory=list)  # per author: explanation, decision, complaint
    explanation_due: object = None  # while the authors may explain before the decisions
    referral: object = None
    institutionalization: object = None
    lesson: object = None
    recognitions: list = field(default_factory=list)
    replications: list = field(default_factory=list)
    origin_adoption: object = None
    due: object = None  # of the evaluation or the responsibility decision, while pending

    @property
    def protected(self) -> bool | None:
        """Whether the responsibility decisions protect the authors; None while undecided, or
        when they protect some authors and not others (see each decision)."""
        if self.referral is not None:
            return False
        if self.proposal.state == State.RESPONSIBILITY_REVIEW or not self.responsibilities:
            return None
        protected = {d.protected for d in self.responsibilities}
        return protected.pop() if len(protected) == 1 else None

    @property
    def mixed(self) -> bool:
        """The authors' outcomes differ."""
        return len({d.decision for d in self.responsibilities}) > 1


def review_record(proposal) -> ReviewRecord:
    record = ReviewRecord(
        proposal=proposal,
        evaluation=_one("evaluation", proposal),
        referral=_one("abuse_referral", proposal),
        institutionalization=_one("institutionalization", proposal),
        lesson=_one("lesson", proposal),
        recognitions=list(
            Recognition.objects.filter(proposal=proposal).select_related(
                "recipient", "unit", "granted_by"
            )
        ),
        replications=list(
            Replication.objects.filter(source=proposal)
            .select_related("board_unit", "directed_by")
            .prefetch_related(
                Prefetch(
                    "adoptions",
                    queryset=Adoption.objects.select_related("unit", "proposal"),
                )
            )
        ),
    )
    record.responsibilities = list(
        ResponsibilityDecision.objects.filter(
            proposal=proposal, superseded_by__isnull=True
        ).select_related(
            "author", "decided_by", "complaint", "complaint__resolved_by", "superseded_by"
        )
    )
    if len(record.responsibilities) == 1:
        record.responsibility = record.responsibilities[0]
    if record.responsibilities or proposal.state == State.RESPONSIBILITY_REVIEW:
        record.persons = person_rows(proposal)
    if proposal.origin_id:
        record.origin_adoption = (
            Adoption.objects.filter(proposal=proposal)
            .select_related("replication__board_unit", "replication__source")
            .first()
        )
    if proposal.state == State.EVALUATING:
        record.evaluation_opinion = current_opinion(proposal, Opinion.Stage.EVALUATION)
        record.due = evaluation_due(proposal.state_changed_at)
    elif proposal.state == State.RESPONSIBILITY_REVIEW:
        record.due = responsibility_due(proposal.state_changed_at)
        record.explanation_due = explanation_deadline(proposal)
    if record.evaluation is not None:
        record.evaluation_opinion = record.evaluation.opinion
    return record


# --- replication: the adoptions of a source and their results ---------------------------------


@dataclass
class AdoptionRow:
    proposal: Proposal
    unit: object
    is_source: bool
    outcome: str  # the evaluation's outcome label, or ""
    kpis: dict  # KPI name -> pilot_data.KpiResult


@dataclass
class Comparison:
    rows: list
    kpi_names: list
    has_kpis: bool
    # Adoptions the reader may not see (lifecycle.md, "Visibility"): counted, never shown. The
    # source's ledger already names their units (the replication directive), not their results.
    hidden: int = 0


def adoption_comparison(source, user) -> Comparison:
    """The source and every proposal replicated from it that `user` may see, with the outcome of
    their evaluations and, when the pilots app recorded them, their KPIs' final values against
    baseline and target. The caller has checked that the user sees the source; an adoption in a
    unit outside the user's reach is only counted (`hidden`): its code, state, outcome and KPIs
    stay with those who may see it, and no row links to a page that would answer 404."""
    proposals = list(
        Proposal.objects.filter(Q(pk=source.pk) | Q(Q(origin=source) & visible_q(user)))
        .select_related("home_unit", "evaluation")
        .order_by("home_unit__path", "pk")
    )
    proposals.sort(key=lambda p: p.pk != source.pk)  # the source first
    hidden = Proposal.objects.filter(origin=source).count() - (len(proposals) - 1)
    evaluations = {p.pk: _one("evaluation", p) for p in proposals}
    kpis = pilot_data.kpi_results([p.pk for p in proposals])
    names: list[str] = []
    for results in kpis.values():
        for name in results:
            if name not in names:
                names.append(name)
    rows = [
        AdoptionRow(
            proposal=p,
            unit=p.home_unit,
            is_source=p.pk == source.pk,
            outcome=evaluations[p.pk].get_outcome_display() if evaluations[p.pk] else "",
            kpis=kpis.get(p.pk, {}),
        )
        for p in proposals
    ]
    return Comparison(rows=rows, kpi_names=names, has_kpis=bool(names), hidden=hidden)


def replication_targets(user, source):
    """Units the user's organization board may replicate the source to: its subtree (from the
    shallowest board over the source), minus the source's unit and units that already adopted."""
    from units.models import Unit

    from .permissions import board_paths_over

    boards = board_paths_over(user, source.home_unit)
    if not boards:
        return Unit.objects.none()
    taken = Adoption.objects.filter(replication__source=source).values("unit_id")
    return (
        Unit.objects.filter(path__startswith=boards[0])
        .exclude(pk=source.home_unit_id)
        .exclude(pk__in=taken)
        .order_by("path")
    )


# --- the lessons library ----------------------------------------------------------------------


def lessons_published() -> QuerySet[Proposal]:
    """The lessons library's rows: proposals published by their deciding head, with what the
    library shows, newest first. Which of them a search or a filter finds, and in what order,
    is `lesson_keys`'s to say."""
    return (
        Proposal.objects.filter(published_at__isnull=False, lesson__isnull=False)
        .select_related(
            "home_unit",
            "deciding_unit",
            "lesson",
            "evaluation",
            "abuse_referral",
        )
        .prefetch_related("responsibility_decisions")
        .order_by("-published_at", "-pk")
    )


def lesson_cards() -> QuerySet[Proposal]:
    """The library page's rows: only what its cards show (the title, code, unit, field, outcome,
    date, lessons and causes), not the proposals' long dossiers nor what the API adds."""
    return Proposal.objects.select_related("home_unit", "lesson", "evaluation").only(
        "code",
        "title",
        "field",
        "state",  # django-fsm reads it on every instance: deferred, it is a query per row
        "published_at",
        "home_unit__name",
        "lesson__lessons",
        "evaluation__outcome",
        "evaluation__causes_objective",
        "evaluation__causes_subjective",
    )


def lessons_of_page(number, per_page: int, *, query="", outcome="", field=""):
    """A page of the lessons library, found in two steps: the matching keys are counted, ranked
    and cut to the page on the lesson table alone (lesson_keys), then only the page's rows are
    read with their units, evaluation and decisions. Joining those for every match before
    cutting (thousands for a common phrase at national scale) cost most of the search.
    Answers (the Paginator's page of keys, the page's proposals in their order)."""
    keys = lesson_keys(query=query, outcome=outcome, field=field)
    page = Paginator(keys, per_page).get_page(number)
    return page, lessons_in_order(lesson_cards(), list(page.object_list))


def lesson_keys(*, query="", outcome="", field="", vendor: str | None = None):
    """The keys (proposal ids) of the published lessons the library finds, in its order: every
    term of the query (kl14.search) occurs in the lesson's searchable text (code, title, summary,
    bottleneck, lessons, the evaluation's causes, the responsibility decision's reasons),
    ignoring case and diacritics; on PostgreSQL over `Lesson.search_vector` (GIN), best matches
    first (kl14.search: the query as typed, then the most frequent), elsewhere over the folded
    `Lesson.search_text`; then newest first.

    Read from the lesson table (its copy of the publication date, `Lesson.published_at`); the
    proposals are joined only to filter by outcome or field. The first step of
    `lessons_of_page`, also the API's. A ranked search reads every match's key in one query, as
    ranking them must read every match anyway: its length is the count, with no second pass
    over the matches to count them."""
    lessons = Lesson.objects.filter(published_at__isnull=False)
    if outcome:
        lessons = lessons.filter(proposal__evaluation__outcome=outcome)
    if field:
        lessons = lessons.filter(proposal__field=field)
    lessons, ranking = search(
        lessons, query, vector="search_vector", text="search_text", vendor=vendor
    )
    newest = ("-published_at", "-proposal_id")
    if ranking:
        ordered = lessons.order_by(*ranking, *newest)
        return list(ordered.values_list("proposal_id", flat=True))
    return lessons.order_by(*newest).values_list("proposal_id", flat=True)


def lessons_in_order(queryset: QuerySet[Proposal], keys: list[int]) -> list[Proposal]:
    """The rows of a page's keys, with what the library shows, in the keys' order."""
    rows = {p.pk: p for p in queryset.filter(pk__in=keys)} if keys else {}
    return [rows[key] for key in keys if key in rows]


def lesson_detail_queryset(user) -> QuerySet[Proposal]:
    """The lessons the user may read (permissions.lesson_q), with what their page shows."""
    return (
        Proposal.objects.filter(lesson_q(user), lesson__isnull=False)
        .select_related(
            "home_unit",
            "deciding_unit",
            "lesson",
            "lesson__published_by",
            "evaluation",
            "abuse_referral",
            "institutionalization",
        )
        .prefetch_related(
            "responsibility_decisions",
            Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("user")),
        )
    )


# --- recognition across a subtree -------------------------------------------------------------


@dataclass
class RecognisedCadre:
    user: object
    recognitions: list


def recognitions_in_subtree(user, unit=None) -> QuerySet[Recognition]:
    """Recognitions of proposals whose home unit lies in the subtree of the user's organization
    boards (or of `unit`, which the caller checked is in it)."""
    paths = [unit.path] if unit else user_roles(user).subtree_paths(Role.ORGANIZATION_BOARD)
    return (
        Recognition.objects.filter(paths_q(paths, field="proposal__home_unit__path"))
        .select_related("recipient", "proposal", "proposal__home_unit", "unit", "granted_by")
        .order_by("recipient__full_name", "recipient__username", "recipient_id", "-created_at")
    )


def group_by_cadre(recognitions) -> list[RecognisedCadre]:
    cadres: dict[int, RecognisedCadre] = {}
    for recognition in recognitions:
        cadre = cadres.setdefault(
            recognition.recipient_id, RecognisedCadre(recognition.recipient, [])
        )
        cadre.recognitions.append(recognition)
    return list(cadres.values())


# --- abuse cases --------------------------------------------------------------------------------


def abuse_cases(proposal) -> list:
    """The proposal's abuse cases, newest first, with their explanations (a fixed number of
    queries)."""
    from .models import AbuseCase, AbuseExplanation

    return list(
        AbuseCase.objects.filter(proposal=proposal)
        .select_related("referred_by", "concluded_by")
        .prefetch_related(
            Prefetch(
                "explanations",
                queryset=AbuseExplanation.objects.select_related("author"),
            )
        )
    )


# --- requests to the competent authority --------------------------------------------------------


def board_requests_queryset() -> QuerySet[BoardRequest]:
    """Requests with everything their rows show, in a fixed number of queries (3)."""
    from accounts.models import User
    from units.models import Unit

    return BoardRequest.objects.select_related(
        "proposal",
        "proposal__home_unit",
        "board_unit",
        "authority_unit",
        "proposed_by",
        "decided_by",
        "decided_in",
    ).prefetch_related(
        Prefetch("recipients", queryset=User.objects.order_by("full_name", "username")),
        Prefetch("target_units", queryset=Unit.objects.order_by("path")),
    )


def board_requests_of(proposal) -> list[BoardRequest]:
    """The requests made on a proposal, newest first; they share the proposal object (and so its
    cached author ids for the permission checks)."""
    rows = list(board_requests_queryset().filter(proposal=proposal))
    for row in rows:
        row.proposal = proposal
    return rows


def board_requests_to_decide(user) -> QuerySet[BoardRequest]:
    """Pending requests the user may decide: addressed to them by role, not proposed by them and
    not about a proposal they wrote."""
    from .permissions import authority_q

    return (
        board_requests_queryset()
        .filter(authority_q(user), state=RequestState.PENDING)
        .exclude(proposed_by=user)
        .exclude(proposal__in=ProposalAuthor.objects.filter(user=user).values("proposal_id"))
        .order_by("created_at", "pk")
    )


def board_requests_decided_by(user) -> QuerySet[BoardRequest]:
    return board_requests_queryset().filter(decided_by=user).order_by("-closed_at", "-pk")


def board_requests_of_boards(user) -> QuerySet[BoardRequest]:
    """Requests made by the organization boards the user sits on (any state), newest first."""
    units = user_roles(user).unit_ids(Role.ORGANIZATION_BOARD)
    return board_requests_queryset().filter(board_unit_id__in=units).order_by("-created_at", "-pk")
