"""The status page of a proposal (also the head's review page), the difference between two
versions, and the ledger's integrity check."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kl14.errors import NotFound

from ..selectors import proposal_verify
from . import presenters
from .common import load_proposal, render_detail


@login_required
@require_GET
def proposal_detail(request, pk):
    return render_detail(request, load_proposal(request.user, pk))


def _version_number(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def version_diff_view(request, pk):
    """What changed between two frozen versions (`?old=1&new=2`), field by field."""
    proposal = load_proposal(request.user, pk)
    versions = {v.number: v for v in proposal.versions.select_related("created_by")}
    latest = max(versions, default=0)
    old_number = _version_number(request.GET.get("old"), latest - 1)
    new_number = _version_number(request.GET.get("new"), latest)
    if old_number not in versions or new_number not in versions:
        raise NotFound(_("There is no such version of this proposal."))
    old, new = versions[old_number], versions[new_number]
    context = {
        "proposal": proposal,
        "versions": sorted(versions.values(), key=lambda v: -v.number),
        "diff": {
            "old": old,
            "new": new,
            "changes": presenters.version_diff(old.content, new.content),
        },
    }
    template = "proposals/_diff.html" if request.htmx else "proposals/diff.html"
    return render(request, template, context)


@login_required
@require_GET
def verify_view(request, pk):
    """Recomputes the ledger chain of the proposal and says whether it is intact."""
    proposal = load_proposal(request.user, pk)
    context = {"proposal": proposal, "verification": proposal_verify(proposal)}
    template = "proposals/_verify.html" if request.htmx else "proposals/verify.html"
    return render(request, template, context)
