"""The review stage's pages: a proposal's review (evaluation, responsibility, recognition, lesson,
dossier), its replication, the lessons library, the recognised cadres, the organization board's
dashboard and period report, and the dossier verification.

Domain errors propagate to kl14.errors.DomainErrorMiddleware (403, 404, 409 pages); an Invalid
from a service re-renders the form with the messages beside the fields (400)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import can_proceed

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from proposals import transitions as registry
from proposals.models import Proposal, State
from proposals.permissions import access_proposal, visible_q

from . import dossier as dossiers
from . import permissions as perms
from . import services
from .forms import (
    LessonForm,
    LessonSearchForm,
    PeriodForm,
    RecognitionForm,
    ReplicationForm,
    VerifyForm,
)
from .models import Evaluation
from .reports import period_report, period_report_pdf, period_report_xlsx, report_filename
from .selectors import (
    adoption_comparison,
    group_by_cadre,
    lesson_detail_queryset,
    lessons_published,
    recognitions_in_subtree,
    review_record,
)
from .stats import QUARTER
from .stats import dashboard as dashboard_figures

REVIEW_TRANSITIONS = (
    "evaluate",
    "decide_responsibility",
    "refer_abuse",
    "replicate",
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


# --- a proposal's review -------------------------------------------------------------------------


def review_context(request, proposal, **forms):
    user = request.user
    record = review_record(proposal)
    actions = [
        {"spec": spec, "url": _transition_url(proposal, spec.name)}
        for spec in registry.available(user, proposal)
        if spec.name in REVIEW_TRANSITIONS and spec.name != "replicate"
    ]
    can_recognise = perms.can_recognise(user, proposal)
    can_publish = perms.may_publish_lesson(user, proposal) and record.evaluation is not None
    lesson = record.lesson
    return {
        "proposal": proposal,
        "proposal_url": proposal_url(proposal),
        "record": record,
        "actions": actions,
        "can_replicate": perms.may_fire(user, proposal, "replicate")
        and can_proceed(proposal.replicate),
        "show_replication": proposal.state in (State.SUCCEEDED, State.REPLICATED)
        or bool(record.replications),
        "can_recognise": can_recognise,
        "recognition_form": forms.get("recognition_form")
        or (RecognitionForm(proposal=proposal) if can_recognise else None),
        "can_publish": can_publish,
        "lesson_form": forms.get("lesson_form")
        or (
            LessonForm(initial={"lessons": lesson.lessons if lesson else ""})
            if can_publish
            else None
        ),
        "published": proposal.published_at is not None,
        "can_issue_dossier": proposal.version > 0,
    }


@login_required
@require_GET
def review_detail(request, pk):
    proposal = _load(request.user, pk)
    return render(request, "reviews/review.html", review_context(request, proposal))


@login_required
@require_POST
def recognition_create(request, pk):
    proposal = _load(request.user, pk)
    form = RecognitionForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            records = services.recognition_grant(
                proposal=proposal,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                recipients=list(form.cleaned_data["recipients"]),
                note=form.cleaned_data["note"],
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Recorded: %(kind)s for %(names)s.")
                % {
                    "kind": records[0].get_kind_display(),
                    "names": ", ".join(r.recipient.get_full_name() for r in records),
                },
            )
            return redirect(f"{reverse('reviews:review', args=[proposal.pk])}#recognition")
    else:
        _may(
            perms.may_recognise(request.user, proposal),
            proposal.state in perms.RECOGNITION_STATES,
            _("Recognition is recorded for a proposal whose results were achieved."),
        )
    context = review_context(request, proposal, recognition_form=form)
    return render(request, "reviews/review.html", context, status=400)


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


@login_required
@require_http_methods(["GET", "POST"])
def replication_view(request, pk):
    """The adoptions of a model and how they fared; the organization board's replication form."""
    source = _load(request.user, pk)
    may = perms.may_fire(request.user, source, "replicate")
    now = can_proceed(source.replicate)
    form = ReplicationForm(user=request.user, source=source) if may and now else None
    status = 200
    if request.method == "POST":
        _may(
            may,
            now,
            _("Only a proposal whose results were achieved can be replicated."),
        )
        form = ReplicationForm(request.POST, user=request.user, source=source)
        if form.is_valid():
            try:
                services.proposal_replicate(
                    proposal=source,
                    actor=request.user,
                    target_units=list(form.cleaned_data["target_units"]),
                )
            except Invalid as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Replicated in %(n)d units: each has its own proposal, ready to start.")
                    % {"n": len(form.cleaned_data["target_units"])},
                )
                return redirect("reviews:replication", pk=source.pk)
        status = 400
    context = {
        "proposal": source,
        "proposal_url": proposal_url(source),
        "comparison": adoption_comparison(source),
        "form": form,
    }
    return render(request, "reviews/replication.html", context, status=status)


# --- protection dossier -------------------------------------------------------------------------


@login_required
@require_GET
def dossier_download(request, pk):
    proposal = _load(request.user, pk)
    issue, verification = services.dossier_issue(proposal=proposal, actor=request.user)
    pdf = dossiers.dossier_pdf(proposal, issue, verification)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ho-so-bao-ve-{proposal.code}.pdf"'
    response["X-Verification-Code"] = issue.code
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def verify_view(request):
    """Anyone signed in checks a dossier: by its code, or by uploading the PDF."""
    check, status = None, 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            code = form.cleaned_data["code"]
            upload = form.cleaned_data["file"]
            if upload is not None:
                found = None
                if upload.size <= dossiers.MAX_UPLOAD:
                    found = dossiers.code_from_pdf(upload.read())
                if found is None:
                    form.add_error("file", _("No verification code was found in this file."))
                code = found or code
            if code and not form.errors:
                check = dossiers.dossier_check(code)
        if form.errors:
            status = 400
    else:
        form = VerifyForm(initial={"code": request.GET.get("code", "")})
        if request.GET.get("code"):
            check = dossiers.dossier_check(request.GET["code"])
    if check is not None and check.issue is not None:
        check.issue.proposal_visible = (
            Proposal.objects.filter(pk=check.issue.proposal_id)
            .filter(visible_q(request.user))
            .exists()
        )
    return render(request, "reviews/verify.html", {"form": form, "check": check}, status=status)


# --- lessons library ----------------------------------------------------------------------------


@login_required
@require_GET
def lessons_view(request):
    form = LessonSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    lessons = lessons_published(
        query=data.get("q", ""), outcome=data.get("outcome", ""), field=data.get("field", "")
    )
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/lessons.html",
        {"form": form, "page": page, "lessons": page.object_list, "query": query.urlencode()},
    )


@login_required
@require_GET
def lesson_detail(request, pk):
    proposal = lesson_detail_queryset(request.user).filter(pk=pk).first()
    if proposal is None:
        raise NotFound()
    return render(
        request,
        "reviews/lesson_detail.html",
        {
            "proposal": proposal,
            "record": review_record(proposal),
            "proposal_url": proposal_url(proposal),
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
def dashboard_view(request):
    form, unit, period = _period_form(request)
    if unit is None:
        return render(request, "reviews/dashboard.html", {"form": form}, status=400)
    figures = dashboard_figures(unit, period)
    query = request.GET.copy()
    if period.kind is None:
        query["period"] = "quarter"
    return render(
        request,
        "reviews/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "chart_data": figures.chart_data(),
            "report_query": query.urlencode(),
        },
    )


@login_required
@require_GET
def period_report_view(request, fmt):
    form, unit, period = _period_form(request, require_period=True)
    if unit is None or period.kind is None:
        return render(request, "reviews/dashboard.html", {"form": form}, status=400)
    report = period_report(unit, period)
    if fmt == "xlsx":
        response = HttpResponse(
            period_report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{report_filename(report, fmt)}"'
    else:
        response = HttpResponse(period_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(report, fmt)}"'
    return response
