"""The review stage's pages: a proposal's review (evaluation, responsibility, recognition, lesson,
dossier), its replication, the lessons library, the recognised cadres, the organization board's
dashboard and period report, and the dossier verification.

Domain errors propagate to kl14.errors.DomainErrorMiddleware (403, 404, 409 pages); an Invalid
from a service re-renders the form with the messages beside the fields (400)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import can_proceed

from kl14.dbrouter import replica_reads
from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from kl14.files import private_download
from kl14.fragments import render_each, shown
from kl14.paging import Paginator
from proposals import permissions as proposals_perms
from proposals import transitions as registry
from proposals.models import Proposal, State
from proposals.permissions import access_proposal, visible_q

from . import dossier as dossiers
from . import permissions as perms
from . import services
from .evaluation import (
    carried_outcome,
    evaluation_ballot_cast,
    evaluation_ballots,
    outcome_counts,
)
from .forms import (
    EvaluationBallotForm,
    ExplanationForm,
    LessonForm,
    LessonSearchForm,
    PeriodForm,
    ReplicationRequestForm,
    VerifyForm,
)
from .models import Evaluation
from .selectors import (
    abuse_cases,
    adoption_comparison,
    board_requests_of,
    group_by_cadre,
    lesson_detail_queryset,
    lessons_of_page,
    recognitions_in_subtree,
    review_record,
)
from .stats import QUARTER
from .stats import dashboard as dashboard_figures

REVIEW_TRANSITIONS = (
    "evaluate",
    "decide_responsibility",
    "refer_abuse",
    "conclude_abuse",
    "institutionalize",
)
PAGE_SIZE = 20


def apply_errors(form, error: Invalid):
    """Puts a service's field errors on the form (unknown fields become form errors)."""
    for name, messages_ in error.errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
    if not error.errors:
        form.add_error(None, error.message)


def _load(user, pk) -> Proposal:
    return access_proposal(
        user,
        pk,
        queryset=Proposal.objects.select_related("home_unit", "deciding_unit", "origin"),
    )


def proposal_url(proposal) -> str:
    """The proposal's own page, when the proposals app serves one."""
    try:
        return proposal.get_absolute_url()
    except NoReverseMatch:
        return ""


def _transition_url(proposal, name) -> str:
    try:
        return reverse("proposals:transition", args=[proposal.pk, name])
    except NoReverseMatch:
        return ""


def _may(has_role: bool, now: bool, message: str):
    """The service's order for a malformed form: 403 before 409 before 400."""
    if not has_role:
        raise Forbidden()
    if not now:
        raise Conflict(message, code="wrong_state")


def responsibility_forms(user, proposal, **forms):
    from .responsibility_views import responsibility_forms as forms_of_the_authors

    return forms_of_the_authors(user, proposal, **forms)


def board_forms(user, proposal, **forms):
    from .board_request_views import board_forms as forms_of_the_board

    return forms_of_the_board(user, proposal, **forms)


# --- a proposal's review -------------------------------------------------------------------------


def review_context(request, proposal, **forms):
    user = request.user
    record = review_record(proposal)
    actions = [
        {
            "spec": offer.spec,
            "url": _transition_url(proposal, offer.name),
            "missing": offer.missing,
            "style": offer.style,
        }
        for offer in registry.offers(user, proposal, REVIEW_TRANSITIONS)
    ]
    can_publish = perms.may_publish_lesson(user, proposal) and record.evaluation is not None
    lesson = record.lesson
    return {
        "proposal": proposal,
        "proposal_url": proposal_url(proposal),
        "record": record,
        "actions": actions,
        # The organization board proposes the replication; the competent authority decides.
        "can_replicate": perms.may_propose(user, proposal) and can_proceed(proposal.replicate),
        "show_replication": proposal.state in (State.SUCCEEDED, State.REPLICATED)
        or bool(record.replications),
        "can_publish": can_publish,
        "lesson_form": forms.get("lesson_form")
        or (
            LessonForm(initial={"lessons": lesson.lessons if lesson else ""})
            if can_publish
            else None
        ),
        "published": proposal.published_at is not None,
        "can_issue_dossier": proposal.version > 0,
        **collective_context(user, proposal, forms.get("ballot_form")),
        **board_forms(user, proposal, **forms),
        **responsibility_forms(user, proposal, **forms),
    }


def collective_context(user, proposal, ballot_form=None) -> dict:
    """The collective's vote on the outcome (Decree 73, Art. 18): the counts to the collective at
    any time and to others once the evaluation is recorded; who voted what to the collective only
    (amendment "Votes are secret while open")."""
    if proposal.state != State.EVALUATING:
        return {"ballot_counts": None, "ballots": (), "ballot_form": None}
    ballots = evaluation_ballots(proposal) if perms.sees_evaluation_ballots(user, proposal) else ()
    can_cast = perms.can_cast_evaluation_ballot(user, proposal)
    mine = next((b.choice for b in ballots if b.voter_id == user.pk), None)
    sees_counts = perms.sees_evaluation_tally(user, proposal)
    return {
        "ballot_counts": outcome_counts(proposal) if sees_counts else None,
        "carried_outcome": carried_outcome(proposal) if sees_counts else None,
        "ballots": ballots,
        "my_ballot": mine,
        "ballot_form": ballot_form
        or (EvaluationBallotForm(initial={"choice": mine}) if can_cast else None),
    }


@login_required
@require_GET
def review_detail(request, pk):
    proposal = _load(request.user, pk)
    return render(request, "reviews/review.html", review_context(request, proposal))


@login_required
@require_POST
def evaluation_ballot_view(request, pk):
    """A member of the collective casts or changes their ballot on the outcome."""
    proposal = _load(request.user, pk)
    form = EvaluationBallotForm(request.POST)
    if form.is_valid():
        try:
            evaluation_ballot_cast(
                proposal=proposal, actor=request.user, choice=form.cleaned_data["choice"]
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your ballot on the outcome is recorded."))
            return redirect(f"{reverse('reviews:review', args=[proposal.pk])}#evaluation")
    else:
        _may(
            proposals_perms.is_eligible_voter(request.user, proposal),
            proposal.state == State.EVALUATING,
            _("Ballots on the outcome are cast only while the results are being evaluated."),
        )
    context = review_context(request, proposal, ballot_form=form)
    return render(request, "reviews/review.html", context, status=400)


@login_required
@require_GET
def evaluation_minutes_download(request, pk):
    """The minutes of the evaluation meeting, to whoever may see the proposal's review."""
    proposal = _load(request.user, pk)
    evaluation = Evaluation.objects.filter(proposal=proposal).select_related("minutes").first()
    minutes = getattr(evaluation, "minutes", None) if evaluation else None
    if minutes is None:
        raise NotFound()
    return private_download(
        minutes.file, filename=minutes.original_name, content_type=minutes.content_type
    )


# --- abuse cases ---------------------------------------------------------------------------------


def _abuse_context(request, proposal, form=None):
    user = request.user
    cases = abuse_cases(proposal)
    current = cases[0] if cases and cases[0].is_open else None
    can_explain = (
        perms.can_explain_abuse(user, proposal)
        and current is not None
        and timezone.localdate() <= current.explanation_due
        and not any(e.author_id == user.pk for e in current.explanations.all())
    )
    actions = [
        {
            "spec": offer.spec,
            "url": _transition_url(proposal, offer.name),
            "missing": offer.missing,
            "style": offer.style,
        }
        for offer in registry.offers(user, proposal, ("refer_abuse", "conclude_abuse"))
    ]
    return {
        "proposal": proposal,
        "proposal_url": proposal_url(proposal),
        "cases": cases,
        "current": current,
        "can_explain": can_explain,
        "form": form or (ExplanationForm() if can_explain else None),
        "actions": actions,
    }


@login_required
@require_GET
def abuse_view(request, pk):
    """The abuse cases of a proposal: the referral, the authors' explanations, the finding."""
    proposal = _load(request.user, pk)
    return render(request, "reviews/abuse.html", _abuse_context(request, proposal))


@login_required
@require_POST
def abuse_explain_view(request, pk):
    proposal = _load(request.user, pk)
    form = ExplanationForm(request.POST)
    if form.is_valid():
        try:
            services.abuse_explain(
                proposal=proposal, actor=request.user, text=form.cleaned_data["text"]
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your explanation is recorded."))
            return redirect("reviews:abuse", pk=proposal.pk)
    else:
        _may(
            proposals_perms.is_author(request.user, proposal),
            proposal.state == State.ABUSE_REVIEW,
            _("There is no abuse case to explain in."),
        )
    context = _abuse_context(request, proposal, form=form)
    context["can_explain"] = True
    return render(request, "reviews/abuse.html", context, status=400)


@login_required
@require_POST
def lesson_publish_view(request, pk):
    proposal = _load(request.user, pk)
    form = LessonForm(request.POST)
    if form.is_valid():
        try:
            services.lesson_publish(
                proposal=proposal, actor=request.user, lessons=form.cleaned_data["lessons"]
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Published to the lessons library."))
            return redirect(f"{reverse('reviews:review', args=[proposal.pk])}#lesson")
    else:
        _may(
            perms.may_publish_lesson(request.user, proposal),
            Evaluation.objects.filter(proposal=proposal).exists(),
            _("Only a proposal whose results were evaluated can become a lesson."),
        )
    context = review_context(request, proposal, lesson_form=form)
    return render(request, "reviews/review.html", context, status=400)


@login_required
@require_POST
def lesson_unpublish_view(request, pk):
    proposal = _load(request.user, pk)
    services.lesson_unpublish(proposal=proposal, actor=request.user)
    messages.success(request, _("Removed from the lessons library."))
    return redirect(f"{reverse('reviews:review', args=[proposal.pk])}#lesson")


# --- replication --------------------------------------------------------------------------------


def replication_context(request, source, **forms) -> dict:
    """The adoptions of a model and how they fared; the organization board's request to the
    competent authority, which alone directs a replication (board_requests.py)."""
    user = request.user
    may_propose = perms.may_propose(user, source)
    return {
        "proposal": source,
        "proposal_url": proposal_url(source),
        "comparison": adoption_comparison(source, user),
        "request_form": forms.get("request_form")
        or (
            ReplicationRequestForm(user=user, source=source)
            if may_propose and can_proceed(source.replicate)
            else None
        ),
        "board_requests": [r for r in board_requests_of(source) if r.kind == "replication"],
    }


@login_required
@require_GET
def replication_view(request, pk):
    """The adoptions of a model and how they fared; the organization board's request form."""
    source = _load(request.user, pk)
    return render(request, "reviews/replication.html", replication_context(request, source))


# --- protection dossier -------------------------------------------------------------------------


@login_required
@require_GET
def dossier_download(request, pk):
    """The old address of the dossier: it is built by a worker now (an export job, never in the
    request), so this leads to the review page, where the dossier is asked for (a GET must not
    start one). 404 as before for whoever may not see the proposal."""
    proposal = _load(request.user, pk)
    return redirect(f"{reverse('reviews:review', args=[proposal.pk])}#dossier")


@login_required
@require_http_methods(["GET", "POST"])
def verify_view(request):
    """Anyone signed in checks a dossier: the uploaded PDF itself (signature, bytes, ledger), or
    only the record under a typed code."""
    check, status = None, 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload is not None:
                check = dossiers.dossier_file_check(form.cleaned_data["file_bytes"])
            else:
                check = dossiers.dossier_check(form.cleaned_data["code"])
        else:
            status = 400
    else:
        form = VerifyForm(initial={"code": request.GET.get("code", "")})
        if request.GET.get("code"):
            check = dossiers.dossier_check(request.GET["code"])
    if check is not None and check.proposal is not None:
        check.proposal_visible = (
            Proposal.objects.filter(pk=check.proposal.pk).filter(visible_q(request.user)).exists()
        )
    return render(request, "reviews/verify.html", {"form": form, "check": check}, status=status)


# --- lessons library ----------------------------------------------------------------------------


@login_required
@require_GET
def lessons_view(request):
    form = LessonSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    page, rows = lessons_of_page(
        request.GET.get("page"),
        PAGE_SIZE,
        query=data.get("q", ""),
        outcome=data.get("outcome", ""),
        field=data.get("field", ""),
    )
    query = request.GET.copy()
    query.pop("page", None)
    cards = render_each("reviews/_lesson_card.html", rows, key=lesson_card_key)
    return render(
        request,
        "reviews/lessons.html",
        {"form": form, "page": page, "cards": cards, "query": query.urlencode()},
    )


def lesson_card_key(proposal) -> tuple:
    """Everything reviews/_lesson_card.html reads from a lesson's proposal: equal keys, equal
    HTML (kl14.fragments; twenty cards with their truncated texts cost the search ~4 ms to
    render, issue 12). The unit's name as it is now; the texts in full, as they are now."""
    evaluation = proposal.evaluation if hasattr(proposal, "evaluation") else None
    published = getattr(proposal, "published_at", None)
    return (
        proposal.pk,
        shown(proposal.title),
        shown(proposal.code),
        shown(proposal.home_unit.name),
        shown(proposal.get_field_display()),
        published.isoformat() if published else None,
        shown(proposal.lesson.lessons),
        shown(evaluation and evaluation.outcome),
        shown(evaluation and evaluation.get_outcome_display()),
        shown(evaluation and evaluation.causes_objective),
        shown(evaluation and evaluation.causes_subjective),
    )


@login_required
@require_GET
def lesson_detail(request, pk):
    proposal = lesson_detail_queryset(request.user).filter(pk=pk).first()
    if proposal is None:
        raise NotFound()
    # Everyone signed in reads the lesson; the dossier part only those who see the proposal.
    full = perms.sees_lesson_dossier(request.user, proposal)
    record = review_record(proposal)
    return render(
        request,
        "reviews/lesson_detail.html",
        {
            "proposal": proposal,
            "evaluation": record.evaluation,
            "record": record if full else None,
            "proposal_url": proposal_url(proposal) if full else "",
        },
    )


# --- the organization board ---------------------------------------------------------------------


def _period_form(request, *, require_period=False):
    """(form, unit, period) of the query string; unit is None when the form is invalid."""
    params = request.GET.copy()
    if require_period and not params.get("period"):
        params["period"] = QUARTER
    form = PeriodForm(
        params, units=perms.board_subtree_units(request.user), require_period=require_period
    )
    if not form.is_valid():
        return form, None, None
    unit = form.cleaned_data["unit"] or perms.board_units(request.user).first()
    form.offer_units_around(unit)
    return form, unit, form.cleaned_data["the_period"]


@login_required
@require_GET
def recognitions_view(request):
    units = perms.board_subtree_units(request.user)
    unit = None
    if request.GET.get("unit"):
        unit = perms.access_board_unit(request.user, request.GET["unit"])
    page = Paginator(recognitions_in_subtree(request.user, unit), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/recognitions.html",
        {
            "page": page,
            "cadres": group_by_cadre(page.object_list),
            "units": units,
            "unit": unit,
        },
    )


@login_required
@require_GET
@replica_reads()
def dashboard_view(request):
    form, unit, period = _period_form(request)
    if unit is None:
        return render(request, "reviews/dashboard.html", {"form": form}, status=400)
    figures = dashboard_figures(unit, period)
    # The exports cover exactly what the screen shows (the same unit and period, all time
    # included).
    report_params = [
        (name, request.GET[name])
        for name in ("unit", "period", "year", "quarter")
        if request.GET.get(name)
    ]
    # A child's row links to its own dashboard for the same period.
    same_period = urlencode([(name, value) for name, value in report_params if name != "unit"])
    item = DashboardFigures(figures, same_period)
    return render(
        request,
        "reviews/dashboard.html",
        {
            "form": form,
            "figures": figures,
            # Rendered once per content: the same figures of the same unit and period, in the
            # same language, are the same bytes (hundreds of cells at a province or the root).
            "figures_html": render_each(DASHBOARD_FIGURES, [item], key=dashboard_key)[0],
            "report_params": report_params,
        },
    )


DASHBOARD_FIGURES = "reviews/_dashboard_figures.html"


@dataclass(frozen=True)
class DashboardFigures:
    """What reviews/_dashboard_figures.html shows: the figures, and the period's query string
    that each child's link keeps."""

    figures: object
    period_query: str


def dashboard_key(item: DashboardFigures):
    """Everything the figures' fragment shows: every field of the figures (each row, count,
    label, unit with its columns) and the period's query string (kl14.fragments.shown)."""
    return shown(item)


@login_required
@require_GET
def period_report_view(request, fmt):
    """The old address of the period report: the report is built by a worker now (an export job,
    never in the request), so this leads to the dashboard of the same unit and period, where the
    export is asked for (a GET must not start one)."""
    query = request.GET.urlencode()
    return redirect(f"{reverse('reviews:dashboard')}{'?' + query if query else ''}#report-export")
