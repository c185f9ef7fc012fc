from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("proposals/", views.my_proposals, name="mine"),
    path("proposals/new/", views.proposal_create_view, name="create"),
    path("proposals/inbox/", views.inbox, name="inbox"),
    path("proposals/votes/", views.vote_queue, name="votes"),
    path("proposals/opinions/", views.opinion_queue, name="opinions"),
    path("proposals/<int:pk>/", views.proposal_detail, name="detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit_view, name="edit"),
    path("proposals/<int:pk>/delete/", views.proposal_delete_view, name="delete"),
    path("proposals/<int:pk>/attachments/", views.attachment_add_view, name="attachment-add"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove_view,
        name="attachment-remove",
    ),
    path("proposals/<int:pk>/versions/diff/", views.version_diff_view, name="diff"),
    path("proposals/<int:pk>/verify/", views.verify_view, name="verify"),
    path("proposals/<int:pk>/vote/", views.vote_cast_view, name="vote"),
    path("proposals/<int:pk>/opinion/", views.opinion_record_view, name="opinion"),
    path("proposals/<int:pk>/actions/<slug:name>/", views.transition_view, name="transition"),
]
