"""Reads of the review stage. Lists select or prefetch what they show: a fixed number of queries
whatever the number of rows."""

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat, Lower, Trim

from proposals.models import Opinion, Proposal, ProposalAuthor, State
from proposals.permissions import visible_q
from proposals.selectors import current_opinion
from units.models import Role
from units.roles import user_roles
from units.selectors import paths_q

from . import pilot_data
from .models import Adoption, Recognition, Replication
from .rules import evaluation_due, responsibility_due
from .text import fold, search_phrases

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
    responsibility: object = None
    referral: object = None
    institutionalization: object = None
    lesson: object = None
    recognitions: list = field(default_factory=list)
    replications: list = field(default_factory=list)
    origin_adoption: object = None
    due: object = None  # of the evaluation or the responsibility decision, while pending

    @property
    def protected(self) -> bool | None:
        """Whether the responsibility decision protects the authors; None while undecided."""
        if self.referral is not None:
            return False
        if self.responsibility is None:
            return None
        return self.responsibility.protected


def review_record(proposal) -> ReviewRecord:
    record = ReviewRecord(
        proposal=proposal,
        evaluation=_one("evaluation", proposal),
        responsibility=_one("responsibility_decision", proposal),
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


def adoption_comparison(source) -> Comparison:
    """The source and every proposal replicated from it, with the outcome of their evaluations and,
    when the pilots app recorded them, their KPIs' final values against baseline and target."""
    proposals = list(
        Proposal.objects.filter(Q(pk=source.pk) | Q(origin=source))
        .select_related("home_unit", "evaluation")
        .order_by("home_unit__path", "pk")
    )
    proposals.sort(key=lambda p: p.pk != source.pk)  # the source first
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
    return Comparison(rows=rows, kpi_names=names, has_kpis=bool(names))


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


class Unaccent(Func):
    """PostgreSQL's unaccent(): the extension is created by this app's migration 0002."""

    function = "unaccent"
    output_field = TextField()


def _pg_fold(expression):
    """text.fold in SQL: unaccent, lower case, every run of other characters to one space."""
    return Func(
        Unaccent(Lower(expression)),
        Value("[^a-z0-9]+"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _document():
    parts = [
        F("code"),
        F("title"),
        F("summary"),
        F("bottleneck"),
        F("lesson__lessons"),
        F("evaluation__causes_objective"),
        F("evaluation__causes_subjective"),
        F("responsibility_decision__reasons"),
    ]
    spaced = []
    for part in parts:
        spaced += [Coalesce(part, Value(""), output_field=TextField()), Value(" ")]
    return Concat(*spaced, output_field=TextField())


def search_lessons(queryset: QuerySet, query: str, *, vendor: str | None = None) -> QuerySet:
    """Every phrase of the query (text.search_phrases) must occur, ignoring case and diacritics:
    "thu tuc hanh chinh" finds "thủ tục hành chính". On PostgreSQL with unaccent(), best matches
    first (full-text rank); elsewhere over the folded `Lesson.search_text`."""
    phrases = search_phrases(query)
    if not phrases:
        return queryset
    if (vendor or connection.vendor) == "postgresql":
        queryset = queryset.annotate(
            search_document=Concat(
                Value(" "), _pg_fold(_document()), Value(" "), output_field=TextField()
            )
        )
        for phrase in phrases:
            folded = Trim(_pg_fold(Value(phrase)))
            queryset = queryset.filter(
                search_document__contains=Concat(Value(" "), folded, output_field=TextField())
            )
        rank = SearchRank(
            SearchVector(F("search_document"), config="simple"),
            SearchQuery(_pg_fold(Value(" ".join(phrases))), config="simple"),
        )
        return queryset.annotate(search_rank=rank).order_by("-search_rank", "-published_at")
    for phrase in phrases:
        queryset = queryset.filter(lesson__search_text__contains=f" {fold(phrase)}")
    return queryset


def lessons_published(*, query="", outcome="", field="") -> QuerySet[Proposal]:
    """The lessons library: proposals published by their deciding head, newest first."""
    queryset = (
        Proposal.objects.filter(published_at__isnull=False, lesson__isnull=False)
        .select_related(
            "home_unit",
            "deciding_unit",
            "lesson",
            "evaluation",
            "responsibility_decision",
            "abuse_referral",
        )
        .order_by("-published_at", "-pk")
    )
    if outcome:
        queryset = queryset.filter(evaluation__outcome=outcome)
    if field:
        queryset = queryset.filter(field=field)
    return search_lessons(queryset, query)


def lesson_detail_queryset(user) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(visible_q(user), lesson__isnull=False)
        .select_related(
            "home_unit",
            "deciding_unit",
            "lesson",
            "lesson__published_by",
            "evaluation",
            "responsibility_decision",
            "abuse_referral",
            "institutionalization",
        )
        .prefetch_related(
            Prefetch("authorships", queryset=ProposalAuthor.objects.select_related("user"))
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
