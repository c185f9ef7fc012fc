from ledger.models import LedgerEntry

from .models import OfficialDocument

# The ledger event recording that a document was issued (documents.services._record), after the
# decision's own entry.
ISSUE_EVENT = "document_issue"


def documents_of(proposal):
    """The proposal's official documents, in the order they were issued, with the person each one
    concerns (what the proposal's page shows): one query. The API adds what it writes."""
    return (
        OfficialDocument.objects.filter(proposal=proposal)
        .select_related("concerns")
        .order_by("issued_on", "year", "id")
    )


def events_after_decision(proposal, decision_seq: int) -> bool:
    """Whether the proposal's ledger has events after the decision at `decision_seq` other than
    the issue of that decision's own documents: what a reader of a document issued for it is told
    happened since (a document is not "followed by new events" because its issue was recorded)."""
    return (
        LedgerEntry.objects.filter(proposal=proposal, seq__gt=decision_seq)
        .exclude(event=ISSUE_EVENT, payload__decision_seq=decision_seq)
        .exists()
    )
