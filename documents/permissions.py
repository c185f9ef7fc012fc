"""Who may see an official document: whoever may see its proposal (proposals.permissions),
except that publishing the lesson shows the lesson, not the decisions: the documents of a
published proposal stay with those who could see it before (Amendments 2026-11-29)."""

from django.utils.translation import gettext as _

from kl14.errors import Conflict, NotFound
from proposals.models import Proposal
from proposals.permissions import OVERSIGHT_ROLES, UNIT_ROLES, access_proposal, is_author
from units.roles import user_roles

from .models import OfficialDocument


def sees_documents(user, proposal) -> bool:
    if proposal.published_at is None:
        return True
    roles = user_roles(user)
    units = roles.unit_ids(*UNIT_ROLES)
    return (
        proposal.deciding_unit_id in units
        or proposal.home_unit_id in units
        or roles.has_over(proposal.home_unit, *OVERSIGHT_ROLES)
        or is_author(user, proposal)
    )


def access_documents(user, proposal_pk) -> Proposal:
    """The proposal whose documents the user may see, else NotFound (404)."""
    proposal = access_proposal(
        user, proposal_pk, queryset=Proposal.objects.select_related("home_unit")
    )
    if not sees_documents(user, proposal):
        raise NotFound()
    return proposal


def access_document(user, proposal_pk, pk) -> OfficialDocument:
    """The document if the user may see its proposal's documents, else NotFound (404)."""
    proposal = access_documents(user, proposal_pk)
    try:
        return OfficialDocument.objects.select_related("unit").get(pk=pk, proposal=proposal)
    except (OfficialDocument.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def require_issued(document) -> None:
    """A document still being issued has no files yet: 409."""
    if not document.is_issued:
        raise Conflict(
            _("Document %(reference)s is being issued: its files will be ready in a few minutes.")
            % {"reference": document.reference},
            code="document_pending",
        )
