from django import template

from ..permissions import sees_documents
from ..selectors import documents_of

register = template.Library()


@register.simple_tag
def official_documents(proposal, user):
    """The proposal's official documents that the user may see, for its page: one query."""
    if not sees_documents(user, proposal):
        return []
    return list(documents_of(proposal))
