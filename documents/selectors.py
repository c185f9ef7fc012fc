from .models import OfficialDocument


def documents_of(proposal):
    """The proposal's official documents, in the order they were issued, with the person each one
    concerns (what the proposal's page shows): one query. The API adds what it writes."""
    return (
        OfficialDocument.objects.filter(proposal=proposal)
        .select_related("concerns")
        .order_by("issued_on", "year", "id")
    )
