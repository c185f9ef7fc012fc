from django.urls import path

from . import board_request_views, responsibility_views, views

app_name = "reviews"

urlpatterns = [
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path(
        "reviews/<int:pk>/evaluation/ballot/",
        views.evaluation_ballot_view,
        name="evaluation-ballot",
    ),
    path(
        "reviews/<int:pk>/evaluation/minutes/",
        views.evaluation_minutes_download,
        name="evaluation-minutes",
    ),
    path("reviews/<int:pk>/lesson/", views.lesson_publish_view, name="lesson-publish"),
    path(
        "reviews/<int:pk>/lesson/unpublish/", views.lesson_unpublish_view, name="lesson-unpublish"
    ),
    path("reviews/<int:pk>/abuse/", views.abuse_view, name="abuse"),
    path("reviews/<int:pk>/abuse/explain/", views.abuse_explain_view, name="abuse-explain"),
    path(
        "reviews/<int:pk>/responsibility/explain/",
        responsibility_views.explain_view,
        name="responsibility-explain",
    ),
    path(
        "reviews/<int:pk>/responsibility/complaint/",
        responsibility_views.complaint_view,
        name="responsibility-complaint",
    ),
    path(
        "reviews/<int:pk>/responsibility/complaints/<int:author>/resolution/",
        responsibility_views.resolve_view,
        name="responsibility-resolve",
    ),
    path(
        "reviews/<int:pk>/responsibility/complaints/<int:author>/extension/",
        responsibility_views.extend_view,
        name="responsibility-extend",
    ),
    path("reviews/<int:pk>/replication/", views.replication_view, name="replication"),
    path(
        "reviews/<int:pk>/recognition-requests/",
        board_request_views.recognition_request_create,
        name="recognition-request",
    ),
    path(
        "reviews/<int:pk>/replication-requests/",
        board_request_views.replication_request_create,
        name="replication-request",
    ),
    path("reviews/requests/", board_request_views.board_requests_view, name="board-requests"),
    path(
        "reviews/requests/<int:pk>/", board_request_views.board_request_detail, name="board-request"
    ),
    path(
        "reviews/requests/<int:pk>/decision/",
        board_request_views.board_request_decide_view,
        name="board-request-decide",
    ),
    path(
        "reviews/requests/<int:pk>/withdrawal/",
        board_request_views.board_request_withdraw_view,
        name="board-request-withdraw",
    ),
    path("reviews/<int:pk>/dossier.pdf", views.dossier_download, name="dossier"),
    path("dossiers/verify/", views.verify_view, name="verify"),
    path("lessons/", views.lessons_view, name="lessons"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("recognitions/", views.recognitions_view, name="recognitions"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/report.xlsx", views.period_report_view, {"fmt": "xlsx"}, name="report-xlsx"),
    path("dashboard/report.pdf", views.period_report_view, {"fmt": "pdf"}, name="report-pdf"),
]
