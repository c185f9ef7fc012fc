from django.urls import path

from . import api

urlpatterns = [
    path("proposals/", api.ProposalListView.as_view(), name="proposal-list"),
    path("proposals/<int:pk>/", api.ProposalDetailView.as_view(), name="proposal-detail"),
    path(
        "proposals/<int:pk>/versions/",
        api.VersionListView.as_view(),
        name="proposal-versions",
    ),
    path(
        "proposals/<int:pk>/versions/<int:number>/",
        api.VersionDetailView.as_view(),
        name="proposal-version",
    ),
    path(
        "proposals/<int:pk>/versions/<int:number>/diff/<int:other>/",
        api.VersionDiffView.as_view(),
        name="proposal-version-diff",
    ),
    path(
        "proposals/<int:pk>/transitions/",
        api.TransitionListView.as_view(),
        name="proposal-transitions",
    ),
    path(
        "proposals/<int:pk>/transitions/<slug:name>/",
        api.TransitionFireView.as_view(),
        name="proposal-transition",
    ),
    path("proposals/<int:pk>/votes/", api.VoteView.as_view(), name="proposal-votes"),
    path("proposals/<int:pk>/opinions/", api.OpinionListView.as_view(), name="proposal-opinions"),
    path("proposals/<int:pk>/ledger/", api.LedgerView.as_view(), name="proposal-ledger"),
    path(
        "proposals/<int:pk>/ledger/verify/",
        api.LedgerVerifyView.as_view(),
        name="proposal-ledger-verify",
    ),
    path(
        "proposals/<int:pk>/attachments/",
        api.AttachmentListView.as_view(),
        name="proposal-attachments",
    ),
    path(
        "proposals/<int:pk>/attachments/<int:aid>/",
        api.AttachmentDetailView.as_view(),
        name="proposal-attachment",
    ),
    path(
        "proposals/<int:pk>/attachments/<int:aid>/download/",
        api.AttachmentDownloadView.as_view(),
        name="proposal-attachment-download",
    ),
]
