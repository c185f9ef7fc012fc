"""Writing the dossier: create and edit a draft (and submit it from the form), delete a draft
that was never submitted, and its attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kl14.errors import Conflict, Forbidden, Invalid, NotFound
from kl14.files import private_download

from .. import permissions as perms
from .. import services
from ..forms import AttachmentForm, ProposalForm, apply_errors
from ..models import EDITABLE_STATES
from .common import load_proposal, render_detail


def _require_editable(user, proposal, message):
    if not perms.is_author(user, proposal):
        raise Forbidden()
    if proposal.state not in EDITABLE_STATES:
        raise Conflict(message, code="wrong_state")


def _render_form(request, form, proposal, *, status=200):
    return render(
        request,
        "proposals/form.html",
        {"form": form, "proposal": proposal, "attachment_form": AttachmentForm()},
        status=status,
    )


def _after_save(request, proposal):
    """Saved: either back to the form, or (the "save and submit" button) on to submission."""
    if request.POST.get("action") != "submit":
        messages.success(request, _("The draft is saved."))
        return redirect("proposals:edit", pk=proposal.pk)
    proposal = load_proposal(request.user, proposal.pk)
    try:
        submitted = services.proposal_submit(proposal=proposal, actor=request.user)
    except Invalid as error:
        # The draft is kept; every missing section is shown next to its field at once.
        form = ProposalForm(request.POST, user=request.user, proposal=proposal)
        form.is_valid()
        apply_errors(form, error)
        messages.warning(
            request,
            _(
                "The draft is saved, but it cannot be submitted yet: complete the sections marked "
                "below (%(count)d)."
            )
            % {"count": len(error.errors)},
        )
        return _render_form(request, form, proposal, status=400)
    except Conflict as error:
        messages.error(request, str(error.message))
        return render_detail(request, load_proposal(request.user, proposal.pk), status=409)
    messages.success(
        request,
        _(
            "The proposal is submitted. It is frozen as version %(version)d and now awaits the "
            "head of the unit."
        )
        % {"version": submitted.version},
    )
    return redirect(submitted)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create_view(request):
    if not perms.may_write(request.user):
        raise Forbidden(_("You do not belong to any unit yet, so you cannot write a proposal."))
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    actor=request.user,
                    home_unit=form.cleaned_data["home_unit"],
                    co_authors=form.co_authors_for_service(),
                    author_posts=form.posts_for_service(),
                    **form.dossier(),
                )
            except Invalid as error:
                apply_errors(form, error)
            else:
                return _after_save(request, proposal)
        return _render_form(request, form, None, status=400)
    return _render_form(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit_view(request, pk):
    proposal = load_proposal(request.user, pk)
    _require_editable(
        request.user, proposal, _("Only a draft or a returned proposal can be edited.")
    )
    form = ProposalForm(request.POST or None, user=request.user, proposal=proposal)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.proposal_update(
                    proposal=proposal,
                    actor=request.user,
                    co_authors=form.co_authors_for_service(),
                    author_posts=form.posts_for_service(),
                    **form.dossier(),
                )
            except Invalid as error:
                apply_errors(form, error)
            else:
                return _after_save(request, proposal)
        return _render_form(request, form, proposal, status=400)
    return _render_form(request, form, proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_delete_view(request, pk):
    proposal = load_proposal(request.user, pk)
    if not perms.is_author(request.user, proposal):
        raise Forbidden()
    if not perms.can_delete(request.user, proposal):
        raise Conflict(
            _("Only a draft that was never submitted can be deleted."), code="wrong_state"
        )
    if request.method == "POST":
        services.proposal_delete(proposal=proposal, actor=request.user)
        messages.success(
            request, _("The draft “%(title)s” is deleted.") % {"title": proposal.title}
        )
        return redirect("proposals:mine")
    return render(request, "proposals/delete.html", {"proposal": proposal})


# --- attachments ----------------------------------------------------------------------------------


def _safe_next(request) -> str:
    """The page an attachment form was sent from, if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request, proposal):
    """Where to go after an attachment change: the page it came from, if it is ours."""
    target = _safe_next(request)
    if target:
        return HttpResponseRedirect(f"{target}#attachments-heading")
    return redirect("proposals:edit", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add_view(request, pk):
    proposal = load_proposal(request.user, pk)
    _require_editable(
        request.user,
        proposal,
        _("Attachments can only change while the proposal is a draft or returned."),
    )
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                attachment = services.attachment_add(
                    proposal=proposal, actor=request.user, uploaded=form.cleaned_data["file"]
                )
            except Invalid as error:
                apply_errors(form, error)
            except Conflict as error:
                messages.error(request, str(error.message))
                return render_detail(request, load_proposal(request.user, pk), status=409)
            else:
                messages.success(
                    request,
                    _("“%(name)s” is attached.") % {"name": attachment.original_name},
                    extra_tags="at-attachments",
                )
                return _back(request, proposal)
        if _safe_next(request):
            # Back to the page the file was sent from (the dossier form), the reason shown in
            # its attachments section — never a bare page that leaves the form.
            reasons = [str(e) for errors in form.errors.values() for e in errors]
            messages.error(
                request,
                _("The file was not attached: %(reasons)s") % {"reasons": " ".join(reasons)},
                extra_tags="at-attachments",
            )
            return HttpResponseRedirect(f"{_safe_next(request)}#attachments-heading")
        return render(
            request,
            "proposals/attachment_form.html",
            {"proposal": proposal, "attachment_form": form},
            status=400,
        )
    return render(
        request, "proposals/attachment_form.html", {"proposal": proposal, "attachment_form": form}
    )


def _attachment_of(proposal, attachment_pk):
    for attachment in proposal.attachments.all():
        if attachment.pk == attachment_pk:
            return attachment
    raise NotFound()


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    """The file, to whoever may see the proposal; always downloaded, never rendered inline."""
    proposal = load_proposal(request.user, pk)
    attachment = _attachment_of(proposal, attachment_pk)
    return private_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_POST
def attachment_remove_view(request, pk, attachment_pk):
    proposal = load_proposal(request.user, pk)
    attachment = _attachment_of(proposal, attachment_pk)
    try:
        services.attachment_remove(attachment=attachment, actor=request.user)
    except Conflict as error:
        messages.error(request, str(error.message))
        return render_detail(request, load_proposal(request.user, pk), status=409)
    messages.success(
        request,
        _("“%(name)s” is removed.") % {"name": attachment.original_name},
        extra_tags="at-attachments",
    )
    return _back(request, proposal)
