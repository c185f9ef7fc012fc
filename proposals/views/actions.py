"""Acting on a proposal: the generic transition view (any transition of the registry, including
those the pilots and reviews apps register), the vote and the Party committee's opinion.

Errors of the services map to the page: Invalid -> the form again with the messages next to the
fields (400); Conflict -> the status page with the message (409); Forbidden and NotFound go on to
the error middleware (403, 404)."""

import inspect

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_fsm import can_proceed

from kl14.errors import Conflict, Forbidden, Invalid, NotFound

from .. import permissions as perms
from .. import services, transitions
from ..forms import OpinionForm, VoteForm, apply_errors, prepare_transition_form
from ..models import DECISION_STATES, Vote
from ..selectors import current_opinion, proposal_tally
from .common import load_proposal, opinion_stage, render_detail


def transition_form(spec, proposal, user, *args) -> forms.Form:
    """The spec's form; a custom form class that takes `proposal=` (e.g. one field per KPI of
    the plan) or `user=` (e.g. only the units this user may choose) gets them."""
    kwargs = {}
    form_class = spec.form_class
    if form_class is not None:
        accepted = inspect.signature(form_class.__init__).parameters
        kwargs = {
            name: value
            for name, value in (("proposal", proposal), ("user", user))
            if name in accepted
        }
    return prepare_transition_form(spec.form(*args, **kwargs))


def _transition_page(request, proposal, spec, form, *, status=200):
    context = {
        "proposal": proposal,
        "spec": spec,
        "form": form,
        "missing": spec.missing(proposal),
        "consequences": spec.consequences(proposal),
        "can_edit": perms.can_edit(request.user, proposal),
    }
    if proposal.state in DECISION_STATES:
        # What the head weighs when deciding, also on the page without the status page around it
        # (the counts only for the collective: votes are secret while open).
        if perms.sees_tally(request.user, proposal):
            context["tally"] = proposal_tally(proposal)
        context["opinion"] = current_opinion(proposal)
    if request.htmx and request.method == "GET":
        return render(request, "proposals/_transition_form.html", context)
    return render(request, "proposals/transition.html", context, status=status)


def _may_act(has_role: bool, now: bool):
    """Before answering 400 for a malformed form: someone who may not act at all gets 403, and an
    action the state does not admit gets 409, as the service would answer."""
    if not has_role:
        raise Forbidden()
    if not now:
        raise Conflict(_("This action is not possible in the proposal's current state."))


def _conflict(request, proposal, error):
    messages.error(request, str(error.message))
    return render_detail(request, load_proposal(request.user, proposal.pk), status=409)


@login_required
@require_http_methods(["GET", "POST"])
def transition_view(request, pk, name):
    """GET: the form of transition `name` (with its confirmation text). POST: fire it through
    its service with the form's cleaned data."""
    proposal = load_proposal(request.user, pk)
    spec = transitions.get(name)
    if spec is None or not hasattr(proposal, name):
        raise NotFound()
    # Who acts (403) and the state (409) come before the inputs (400), as in the services.
    if not spec.may_fire(request.user, proposal):
        if perms.decided_before(request.user, proposal):
            error = services.moved_on(proposal)
            if request.method == "GET":
                raise error
            return _conflict(request, proposal, error)
        raise Forbidden()
    if not can_proceed(getattr(proposal, name)):
        error = Conflict(
            _("This action is not possible while the proposal is “%(state)s”.")
            % {"state": proposal.get_state_display()},
            code="wrong_state",
        )
        if request.method == "GET":
            raise error
        return _conflict(request, proposal, error)
    if request.method == "GET":
        return _transition_page(
            request, proposal, spec, transition_form(spec, proposal, request.user)
        )

    form = transition_form(spec, proposal, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            spec.service(
                proposal=services.as_seen(proposal),
                actor=request.user,
                **transitions.service_inputs(form.cleaned_data),
            )
        except Invalid as error:
            apply_errors(form, error)
        except Conflict as error:
            return _conflict(request, proposal, error)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
            return redirect("proposals:detail", pk=proposal.pk)
    return _transition_page(request, proposal, spec, form, status=400)


@login_required
@require_POST
def vote_cast_view(request, pk):
    proposal = load_proposal(request.user, pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            vote = services.vote_cast(
                proposal=proposal, actor=request.user, choice=form.cleaned_data["choice"]
            )
        except Invalid as error:
            apply_errors(form, error)
        except Conflict as error:
            return _conflict(request, proposal, error)
        else:
            messages.success(
                request,
                _("Your vote is recorded: %(choice)s.")
                % {"choice": Vote.Choice(vote.choice).label},
                extra_tags="at-votes",
            )
            return redirect(f"{proposal.get_absolute_url()}#votes")
    else:
        _may_act(
            perms.is_eligible_voter(request.user, proposal), perms.can_vote(request.user, proposal)
        )
    return render_detail(request, proposal, status=400, vote_form=form)


@login_required
@require_POST
def opinion_record_view(request, pk):
    proposal = load_proposal(request.user, pk)
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.opinion_record(
                proposal=proposal,
                actor=request.user,
                stage=opinion_stage(proposal),
                **form.cleaned_data,
            )
        except Invalid as error:
            apply_errors(form, error)
        except Conflict as error:
            return _conflict(request, proposal, error)
        else:
            messages.success(
                request, _("The Party committee's opinion is recorded."), extra_tags="at-opinion"
            )
            return redirect(f"{proposal.get_absolute_url()}#opinion")
    else:
        _may_act(
            perms.is_party_committee(request.user, proposal),
            perms.can_record_opinion(request.user, proposal, opinion_stage(proposal)),
        )
    return render_detail(request, proposal, status=400, opinion_form=form)
