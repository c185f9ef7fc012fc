from django.urls import path

from . import api, transitions

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
    # One path per registered transition (each with its own request body in the schema), then
    # any other name (404; or a transition registered after this module was loaded).
    *(
        path(
            f"proposals/<int:pk>/transitions/{spec.name}/",
            api.TransitionFireView.as_view(transition=spec.name),
            {"name": spec.name},
            name=f"proposal-transition-{spec.name}",
        )
        for spec in transitions.all_specs()
    ),
    path(
        "proposals/<int:pk>/transitions/<slug:name>/",
        api.AnyTransitionFireView.as_view(),
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
