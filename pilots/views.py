"""The pilot pages: one page per proposal in the implementation stage, the forms it posts to, and
the lists "my pilots", "pilots of my unit" and "pilots I monitor"."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import can_proceed

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from kl14.files import private_download
from kl14.paging import Paginator
from proposals import transitions as registry
from proposals.models import State
from proposals.permissions import is_author, is_supervising_head
from proposals.services import as_seen

from . import permissions as perms
from . import selectors, services
from .forms import (
    AdjustmentForm,
    DecisionForm,
    InspectionForm,
    KpiFormSet,
    MilestoneFormSet,
    PlanForm,
    RejectForm,
    ReportForm,
    kpi_initial,
    milestone_initial,
    rows,
)
from .models import Milestone, ReportAttachment
from .planning import PLAN_PARTS, monitor_grants, plan_errors
from .transitions import FinalReportForm

PILOT_TRANSITIONS = ("start", "suspend", "resume", "terminate", "complete", "submit_final_report")
PAGE_SIZE = 25


def _proposal_url(proposal):
    try:
        return proposal.get_absolute_url()
    except NoReverseMatch:  # the proposal pages are not installed
        return None


def _put_errors(form, error: Invalid, *, fallback=None) -> dict:
    """Puts a service's field errors on the form; returns those that have no field there."""
    leftover = {}
    for name, messages_ in error.errors.items():
        target = name if name in form.fields else fallback
        for message in messages_:
            if target is None:
                leftover.setdefault(name, []).append(message)
            else:
                form.add_error(target if target != "__all__" else None, message)
    if not error.errors:
        form.add_error(None, str(error.message))
    return leftover


def _require_state(proposal, states, message):
    if proposal.state not in states:
        raise Conflict(message, code="wrong_state")


def _flash_invalid(request, error: Invalid):
    texts = [m for messages_ in error.errors.values() for m in messages_] or [str(error.message)]
    messages.error(request, " ".join(texts))


# --- the pilot page ---------------------------------------------------------------------------


@login_required
def detail(request, pk):
    return _render_detail(request, perms.access_pilot(request.user, pk))


def _render_detail(request, proposal, *, status=200, report_form=None, inspection_form=None):
    user = request.user
    view = selectors.pilot_view(proposal)
    plan = view.plan
    open_periods = view.open_periods
    can_report = perms.can_file_report(user, proposal) and bool(open_periods)
    if can_report and report_form is None:
        report_form = ReportForm(
            periods=open_periods, kpis=view.kpis, initial={"period": open_periods[0].period}
        )
    can_inspect = perms.can_inspect(user, proposal, plan)
    if can_inspect and inspection_form is None:
        inspection_form = InspectionForm(initial={"date": timezone.localdate()})
    start_missing = {}
    if proposal.state == State.APPROVED and (
        is_supervising_head(user, proposal) or perms.is_approving_head(user, proposal)
    ):
        start_missing = plan_errors(plan, for_start=True)
    transitions = registry.offers(user, proposal, PILOT_TRANSITIONS)
    # The co-signature covers the complete plan: only the co-signature itself may be missing.
    plan_complete = set(start_missing) <= {"cosignature"}
    context = {
        "proposal": proposal,
        "proposal_url": _proposal_url(proposal),
        "pilot": view,
        "plan": plan,
        "chart": selectors.kpi_series(plan, view.kpis, view.reports, view.final_report)
        if plan
        else [],
        "transitions": transitions,
        "start_offered": any(offer.name == "start" for offer in transitions),
        "start_missing": [
            (PLAN_PARTS.get(name, name), message)
            for name, messages_ in start_missing.items()
            for message in messages_
        ],
        "approver_id": perms.approving_head_id(proposal),
        "can_edit_plan": perms.can_edit_plan(user, proposal),
        "can_cosign": perms.can_cosign(user, proposal, plan) and plan_complete,
        "can_report": can_report,
        "report_form": report_form,
        "can_inspect": can_inspect,
        "inspection_form": inspection_form,
        "can_request_adjustment": perms.can_request_adjustment(user, proposal)
        and view.pending_adjustment is None,
        "can_decide_adjustment": perms.can_decide_adjustment(user, proposal),
        "can_mark_milestone": perms.can_mark_milestone(user, proposal),
        "is_author": is_author(user, proposal),
        "today": timezone.localdate(),
        "chart_labels": {
            "reported": _("Reported"),
            "baseline": _("Baseline"),
            "target": _("Target"),
            "start": _("Start"),
        },
    }
    return render(request, "pilots/detail.html", context, status=status)


# --- the plan ---------------------------------------------------------------------------------


def _plan_initial(proposal, plan):
    if plan is None:
        # The dossier's Art. 7(2) sections are the natural first draft of the resources.
        return {"people": proposal.implementers, "budget_details": proposal.resources}, [], []
    initial = {
        name: getattr(plan, name)
        for name in (
            "start_date",
            "end_date",
            "reporting_cadence",
            "budget_amount",
            "budget_details",
            "people",
            "equipment",
            "risk_declaration",
        )
    }
    initial["monitors"] = [g.user_id for g in monitor_grants(plan)]
    return (
        initial,
        milestone_initial(plan.milestones.all()),
        kpi_initial(plan.kpis.filter(retired=False)),
    )


@login_required
def plan_edit(request, pk):
    proposal = perms.access_pilot(request.user, pk)
    if not is_supervising_head(request.user, proposal):
        raise Forbidden()
    _require_state(
        proposal,
        (State.APPROVED,),
        _("The plan can only be prepared while the proposal is approved and not started."),
    )
    plan = perms.plan_of(proposal)
    initial, milestones, kpis = _plan_initial(proposal, plan)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, initial=initial, home_unit=proposal.home_unit)
    milestone_set = MilestoneFormSet(data, initial=milestones, prefix="milestones")
    kpi_set = KpiFormSet(data, initial=kpis, prefix="kpis")
    other_errors = {}
    status = 200
    if data is not None:
        if form.is_valid() and milestone_set.is_valid() and kpi_set.is_valid():
            try:
                services.plan_save(
                    proposal=proposal,
                    actor=request.user,
                    **form.cleaned_data,
                    milestones=rows(milestone_set),
                    kpis=rows(kpi_set),
                )
            except Invalid as error:
                other_errors = _put_errors(form, error)
            else:
                messages.success(request, _("The implementation plan is saved."))
                return redirect("pilots:detail", pk=proposal.pk)
        status = 400
    return render(
        request,
        "pilots/plan_form.html",
        {
            "proposal": proposal,
            "plan": plan,
            "form": form,
            "milestone_set": milestone_set,
            "kpi_set": kpi_set,
            "other_errors": other_errors,
            "has_errors": status == 400,
        },
        status=status,
    )


class CosignForm(forms.Form):
    confirmed = forms.BooleanField(
        label=gettext_lazy(
            "I have read the risk declaration of this version of the plan and co-sign it."
        ),
        error_messages={"required": gettext_lazy("Tick the box to co-sign.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_cosign(request, pk):
    """The approving head reads the plan's risk declaration, then co-signs it (a confirmation,
    never one click from the pilot page)."""
    proposal = perms.access_pilot(request.user, pk)
    plan = perms.plan_of(proposal)
    if not perms.is_approving_head(request.user, proposal):
        raise Forbidden()
    form = CosignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.plan_cosign(proposal=proposal, actor=request.user)
            except Invalid as error:
                _put_errors(form, error, fallback="__all__")
            else:
                messages.success(request, _("You co-signed the risk declaration of the plan."))
                return redirect("pilots:detail", pk=proposal.pk)
        status = 400
    missing = plan_errors(plan, for_start=False) if plan else {}
    return render(
        request,
        "pilots/cosign.html",
        {
            "proposal": proposal,
            "plan": plan,
            "form": form,
            "missing": [
                f"{PLAN_PARTS.get(name, name)}: {message}"
                for name, messages_ in missing.items()
                for message in messages_
            ],
        },
        status=status,
    )


# --- actions while the work runs --------------------------------------------------------------


@login_required
@require_POST
def report_create(request, pk):
    proposal = perms.access_pilot(request.user, pk)
    if not is_author(request.user, proposal):
        raise Forbidden()
    _require_state(
        proposal,
        (State.IN_PROGRESS,),
        _("Progress reports are filed while the work is in progress."),
    )
    view = selectors.pilot_view(proposal)
    form = ReportForm(request.POST, request.FILES, periods=view.open_periods, kpis=view.kpis)
    if form.is_valid():
        try:
            services.report_file(proposal=proposal, actor=request.user, **form.service_kwargs())
        except Invalid as error:
            _put_errors(form, error, fallback="__all__")
        else:
            messages.success(request, _("Your progress report is filed."))
            return redirect("pilots:detail", pk=proposal.pk)
    messages.error(
        request,
        _("The progress report was not filed: correct what is marked in the form below."),
    )
    return _render_detail(request, proposal, status=400, report_form=form)


@login_required
@require_POST
def inspection_create(request, pk):
    proposal = perms.access_pilot(request.user, pk)
    plan = perms.plan_of(proposal)
    if not perms.is_monitor(request.user, plan, proposal):
        raise Forbidden()
    _require_state(
        proposal,
        perms.RUNNING_STATES,
        _("Inspections are recorded while the work runs or is suspended."),
    )
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_record(proposal=proposal, actor=request.user, **form.cleaned_data)
        except Invalid as error:
            _put_errors(form, error, fallback="__all__")
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("pilots:detail", pk=proposal.pk)
    messages.error(
        request, _("The inspection was not recorded: correct what is marked in the form below.")
    )
    return _render_detail(request, proposal, status=400, inspection_form=form)


@login_required
@require_POST
def milestone_done(request, pk, milestone_pk):
    proposal = perms.access_pilot(request.user, pk)
    milestone = Milestone.objects.filter(pk=milestone_pk, plan__proposal=proposal).first()
    if milestone is None:
        raise NotFound()
    done = request.POST.get("done") == "1"
    services.milestone_set_done(milestone=milestone, actor=request.user, done=done)
    return redirect("pilots:detail", pk=proposal.pk)


@login_required
def adjustment_create(request, pk):
    proposal = perms.access_pilot(request.user, pk)
    if not is_author(request.user, proposal):
        raise Forbidden()
    _require_state(
        proposal,
        perms.RUNNING_STATES,
        _("The plan can be adjusted while the work runs or is suspended."),
    )
    plan = perms.plan_of(proposal)
    initial, milestones, kpis = _plan_initial(proposal, plan)
    data = request.POST if request.method == "POST" else None
    form = AdjustmentForm(data, initial=initial)
    milestone_set = MilestoneFormSet(data, initial=milestones, prefix="milestones")
    kpi_set = KpiFormSet(data, initial=kpis, prefix="kpis")
    other_errors = {}
    status = 200
    if data is not None:
        if form.is_valid() and milestone_set.is_valid() and kpi_set.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "reasons"}
            changes["milestones"] = rows(milestone_set)
            changes["kpis"] = rows(kpi_set)
            try:
                services.adjustment_request(
                    proposal=proposal,
                    actor=request.user,
                    reasons=form.cleaned_data["reasons"],
                    changes=changes,
                )
            except Invalid as error:
                other_errors = _put_errors(form, error)
            else:
                messages.success(
                    request, _("Your adjustment request is sent to the head of the unit.")
                )
                return redirect("pilots:detail", pk=proposal.pk)
        status = 400
    return render(
        request,
        "pilots/adjustment_form.html",
        {
            "proposal": proposal,
            "plan": plan,
            "form": form,
            "milestone_set": milestone_set,
            "kpi_set": kpi_set,
            "other_errors": other_errors,
        },
        status=status,
    )


@login_required
@require_POST
def adjustment_decide(request, adjustment_pk, decision):
    adjustment = perms.access_adjustment(request.user, adjustment_pk)
    proposal_pk = adjustment.plan.proposal_id
    form = (RejectForm if decision == "reject" else DecisionForm)(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reasons for rejecting the adjustment."))
        return redirect("pilots:detail", pk=proposal_pk)
    service = services.adjustment_reject if decision == "reject" else services.adjustment_approve
    try:
        service(adjustment=adjustment, actor=request.user, reasons=form.cleaned_data["reasons"])
    except Invalid as error:
        _flash_invalid(request, error)
    else:
        messages.success(
            request,
            _("The adjustment is rejected.")
            if decision == "reject"
            else _("The adjustment is approved: the plan has a new version."),
        )
    return redirect("pilots:detail", pk=proposal_pk)


@login_required
def attachment_download(request, attachment_pk):
    attachment = (
        ReportAttachment.objects.select_related("report__plan").filter(pk=attachment_pk).first()
    )
    if attachment is None:
        raise NotFound()
    perms.access_pilot(request.user, attachment.report.plan.proposal_id)
    return private_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- transitions of this stage ----------------------------------------------------------------


def _transition_form(spec, proposal, data=None):
    if spec.form_class is FinalReportForm:
        return spec.form(data, proposal=proposal)
    return spec.form(data) if spec.has_inputs() else None


@login_required
def transition(request, pk, name):
    proposal = perms.access_pilot(request.user, pk)
    spec = registry.get(name)
    if spec is None or name not in PILOT_TRANSITIONS:
        return redirect("pilots:detail", pk=proposal.pk)
    if not spec.may_fire(request.user, proposal):
        raise Forbidden()
    if not can_proceed(getattr(proposal, name)):
        raise Conflict(
            _("This action is not possible while the proposal is “%(state)s”.")
            % {"state": proposal.get_state_display()},
            code="wrong_state",
        )
    form = _transition_form(spec, proposal, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form is None or form.is_valid():
            inputs = registry.service_inputs(form.cleaned_data) if form is not None else {}
            try:
                spec.service(proposal=as_seen(proposal), actor=request.user, **inputs)
            except Invalid as error:
                if form is None:
                    _flash_invalid(request, error)
                    return redirect("pilots:detail", pk=proposal.pk)
                _put_errors(form, error, fallback="__all__")
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
                return redirect("pilots:detail", pk=proposal.pk)
        status = 400
    return render(
        request,
        "pilots/transition.html",
        {
            "proposal": proposal,
            "spec": spec,
            "form": form,
            "missing": spec.missing(proposal),
            "consequences": spec.consequences(proposal),
        },
        status=status,
    )


# --- lists ------------------------------------------------------------------------------------


def _list(request, queryset, *, title, intro, empty):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows_ = []
    for proposal in page.object_list:
        plan = perms.plan_of(proposal)
        rows_.append(
            {
                "proposal": proposal,
                "plan": plan,
                "report_overdue": selectors.report_overdue(proposal, plan, today),
                "final_report_overdue": selectors.final_report_overdue(proposal, plan, today),
            }
        )
    return render(
        request,
        "pilots/list.html",
        {"page": page, "rows": rows_, "title": title, "intro": intro, "empty": empty},
    )


@login_required
def mine(request):
    return _list(
        request,
        selectors.pilots_authored_by(request.user),
        title=_("My pilots"),
        intro=_("The approved proposals you implement, with their reports due."),
        empty=_("None of your proposals is being implemented yet."),
    )


@login_required
def unit(request):
    return _list(
        request,
        selectors.pilots_of_units(request.user),
        title=_("Pilots of my unit"),
        intro=_(
            "Approved proposals of the units you head: plans to prepare and co-sign, work under "
            "way, reports due."
        ),
        empty=_("No proposal of your units has been approved for implementation yet."),
    )


@login_required
def monitored(request):
    return _list(
        request,
        selectors.pilots_monitored_by(request.user),
        title=_("Pilots I monitor"),
        intro=_("The pilots whose plans name you as a monitor: inspect them and record findings."),
        empty=_("You have not been assigned to monitor any pilot."),
    )
