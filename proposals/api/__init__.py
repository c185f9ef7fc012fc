"""The proposals API (api.md): thin views over selectors, permissions and services.

Every view first reads the proposal through `access_proposal` (404 when the user may not see it).
Writes check the role (403) and the state (409) before the input (400), in the services' order, then
call the one service that does the work; the service checks all of it again under a row lock."""

from .decision import (
    AnyTransitionFireView,
    OpinionListView,
    TransitionFireView,
    TransitionListView,
    VoteView,
)
from .dossier import (
    AttachmentDetailView,
    AttachmentDownloadView,
    AttachmentListView,
    ProposalDetailView,
    ProposalListView,
)
from .records import (
    LedgerVerifyView,
    LedgerView,
    VersionDetailView,
    VersionDiffView,
    VersionListView,
)

__all__ = [
    "AnyTransitionFireView",
    "AttachmentDetailView",
    "AttachmentDownloadView",
    "AttachmentListView",
    "LedgerVerifyView",
    "LedgerView",
    "OpinionListView",
    "ProposalDetailView",
    "ProposalListView",
    "TransitionFireView",
    "TransitionListView",
    "VersionDetailView",
    "VersionDiffView",
    "VersionListView",
    "VoteView",
]
