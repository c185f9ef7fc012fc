"""The HTML pages of proposals: lists and queues, the dossier form, the status page and the
generic transition view. Reads go through selectors, checks through permissions, writes through
services."""

from .actions import opinion_record_view, transition_view, vote_cast_view
from .dossier import (
    attachment_add_view,
    attachment_download,
    attachment_remove_view,
    proposal_create_view,
    proposal_delete_view,
    proposal_edit_view,
)
from .lists import inbox, my_proposals, opinion_queue, vote_queue
from .status import proposal_detail, verify_view, version_diff_view

__all__ = [
    "attachment_add_view",
    "attachment_download",
    "attachment_remove_view",
    "inbox",
    "my_proposals",
    "opinion_queue",
    "opinion_record_view",
    "proposal_create_view",
    "proposal_delete_view",
    "proposal_detail",
    "proposal_edit_view",
    "transition_view",
    "verify_view",
    "version_diff_view",
    "vote_cast_view",
    "vote_queue",
]
