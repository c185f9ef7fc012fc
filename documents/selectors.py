from .models import OfficialDocument


def documents_of(proposal):
    """The proposal's official documents, in the order they were issued: one query."""
    return (
        OfficialDocument.objects.filter(proposal=proposal)
        .select_related("unit", "concerns", "signer")
        .order_by("issued_on", "year", "id")
    )
