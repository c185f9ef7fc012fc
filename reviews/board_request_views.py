"""The pages of the requests to the competent authority (board_requests.py): the queue of those
who decide and of the boards that ask, a request's page with the decision (or withdrawal) form,
and the organization board's forms for recognition and replication."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kl14.errors import Forbidden, Invalid
from proposals.services import as_seen

from . import board_requests as services
from . import permissions as perms
from .forms import (
    RecognitionRequestForm,
    ReplicationRequestForm,
    RequestDecisionForm,
    RequestWithdrawForm,
)
from .models import AuthorityRole
from .selectors import (
    board_requests_decided_by,
    board_requests_of,
    board_requests_of_boards,
    board_requests_to_decide,
)
from .views import _load, _may, apply_errors, proposal_url


def _request_context(request, board_request, **forms):
    user = request.user
    decidable = services.decidable(user, board_request)
    withdrawable = services.withdrawable(user, board_request)
    return {
        "board_request": board_request,
        "proposal": board_request.proposal,
        "proposal_url": proposal_url(board_request.proposal),
        "may_list": perms.may_list_board_requests(user),
        "capacity_label": AuthorityRole(perms.deciding_capacity(user, board_request)).label
        if decidable
        else "",
        "decide_form": forms.get("decide_form") or (RequestDecisionForm() if decidable else None),
        "withdraw_form": forms.get("withdraw_form")
        or (RequestWithdrawForm() if withdrawable else None),
    }


@login_required
@require_GET
def board_requests_view(request):
    user = request.user
    is_board = perms.is_board_member(user)
    if not perms.may_list_board_requests(user):
        raise Forbidden(_("This is for the competent authorities and the organization boards."))
    return render(
        request,
        "reviews/board_requests.html",
        {
            "to_decide": list(board_requests_to_decide(user)),
            "decided": list(board_requests_decided_by(user)[:20]),
            "of_boards": list(board_requests_of_boards(user)[:50]) if is_board else None,
        },
    )


@login_required
@require_GET
def board_request_detail(request, pk):
    board_request = perms.access_board_request(request.user, pk)
    return render(request, "reviews/board_request.html", _request_context(request, board_request))


@login_required
@require_POST
def board_request_decide_view(request, pk):
    board_request = perms.access_board_request(request.user, pk)
    form = RequestDecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = services.board_request_decide(
                board_request=board_request,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Decided: %(state)s. The organization board is told.")
                % {"state": decided.get_state_display()},
            )
            return redirect("reviews:board-request", pk=board_request.pk)
    else:
        _may(
            perms.may_decide(request.user, board_request),
            board_request.pending,
            _("This request is already closed."),
        )
    context = _request_context(request, board_request, decide_form=form)
    return render(request, "reviews/board_request.html", context, status=400)


@login_required
@require_POST
def board_request_withdraw_view(request, pk):
    board_request = perms.access_board_request(request.user, pk)
    form = RequestWithdrawForm(request.POST)
    if form.is_valid():
        services.board_request_withdraw(
            board_request=board_request, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The request is withdrawn."))
        return redirect("reviews:board-request", pk=board_request.pk)
    context = _request_context(request, board_request, withdraw_form=form)
    return render(request, "reviews/board_request.html", context, status=400)


def board_forms(user, proposal, **forms) -> dict:
    """The organization board's request forms for the review page (only where it may propose
    and the proposal is in a state that allows it), and the requests made so far."""
    may = perms.may_propose(user, proposal)
    recognisable = proposal.state in perms.RECOGNITION_STATES
    return {
        "board_requests": board_requests_of(proposal),
        "recognition_request_form": forms.get("recognition_request_form")
        or (RecognitionRequestForm(proposal=proposal) if may and recognisable else None),
        "may_propose": may,
    }


@login_required
@require_POST
def recognition_request_create(request, pk):
    from .views import review_context

    proposal = as_seen(_load(request.user, pk))
    form = RecognitionRequestForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            created = services.recognition_propose(
                proposal=proposal,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                recipients=list(form.cleaned_data["recipients"]),
                grounds=form.cleaned_data["grounds"],
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Proposed to the competent authority (%(unit)s); you will be told the decision.")
                % {"unit": created.authority_unit.name},
            )
            return redirect(f"{reverse('reviews:review', args=[proposal.pk])}#board-requests")
    else:
        _may(
            perms.may_propose(request.user, proposal),
            proposal.state in perms.RECOGNITION_STATES,
            _("Recognition is proposed for a proposal whose results were achieved."),
        )
    context = review_context(request, proposal, recognition_request_form=form)
    return render(request, "reviews/review.html", context, status=400)


@login_required
@require_http_methods(["POST"])
def replication_request_create(request, pk):
    from .views import replication_context

    source = as_seen(_load(request.user, pk))
    form = ReplicationRequestForm(request.POST, user=request.user, source=source)
    if form.is_valid():
        try:
            created = services.replication_propose(
                proposal=source,
                actor=request.user,
                target_units=list(form.cleaned_data["target_units"]),
                grounds=form.cleaned_data["grounds"],
            )
        except Invalid as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Proposed to the competent authority (%(unit)s); you will be told the decision.")
                % {"unit": created.authority_unit.name},
            )
            return redirect("reviews:replication", pk=source.pk)
    else:
        _may(
            perms.may_propose(request.user, source),
            source.state in ("succeeded", "replicated"),
            _("Only a proposal whose results were achieved can be replicated."),
        )
    return render(
        request,
        "reviews/replication.html",
        replication_context(request, source, request_form=form),
        status=400,
    )
