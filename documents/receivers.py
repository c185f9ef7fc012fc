from .services import documents_create_for_entry


def issue_documents(sender, *, entry, proposal, **kwargs):
    """Inside the decision's transaction (ledger.signals): numbers and freezes the documents the
    decision issues; a failure here undoes the decision, as a register that cannot number it
    must."""
    documents_create_for_entry(entry=entry, proposal=proposal)
