from django.urls import path

from . import api, board_request_api, responsibility_api

urlpatterns = [
    path("proposals/<int:pk>/review/", api.ReviewView.as_view(), name="proposal-review"),
    path(
        "proposals/<int:pk>/evaluation/ballots/",
        api.EvaluationVoteView.as_view(),
        name="proposal-evaluation-ballots",
    ),
    path(
        "proposals/<int:pk>/evaluation/minutes/",
        api.EvaluationMinutesView.as_view(),
        name="proposal-evaluation-minutes",
    ),
    path(
        "proposals/<int:pk>/recognitions/",
        api.RecognitionListView.as_view(),
        name="proposal-recognitions",
    ),
    path("proposals/<int:pk>/abuse-cases/", api.AbuseCaseListView.as_view(), name="abuse-cases"),
    path(
        "proposals/<int:pk>/abuse-cases/explanation/",
        api.AbuseExplanationView.as_view(),
        name="abuse-explanation",
    ),
    path(
        "proposals/<int:pk>/responsibility/decisions/",
        responsibility_api.ResponsibilityDecisionListView.as_view(),
        name="responsibility-decisions",
    ),
    path(
        "proposals/<int:pk>/responsibility/explanations/",
        responsibility_api.ResponsibilityExplanationView.as_view(),
        name="responsibility-explanations",
    ),
    path(
        "proposals/<int:pk>/responsibility/complaint/",
        responsibility_api.ResponsibilityComplaintView.as_view(),
        name="responsibility-complaint",
    ),
    path(
        "proposals/<int:pk>/responsibility/complaints/<int:author>/resolution/",
        responsibility_api.ComplaintResolutionView.as_view(),
        name="responsibility-complaint-resolution",
    ),
    path(
        "proposals/<int:pk>/responsibility/complaints/<int:author>/extension/",
        responsibility_api.ComplaintExtensionView.as_view(),
        name="responsibility-complaint-extension",
    ),
    path(
        "proposals/<int:pk>/requests/",
        board_request_api.ProposalBoardRequestsView.as_view(),
        name="proposal-board-requests",
    ),
    path("requests/", board_request_api.BoardRequestQueueView.as_view(), name="board-request-list"),
    path(
        "requests/<int:pk>/",
        board_request_api.BoardRequestDetailView.as_view(),
        name="board-request-detail",
    ),
    path(
        "requests/<int:pk>/decision/",
        board_request_api.BoardRequestDecisionView.as_view(),
        name="board-request-decision",
    ),
    path(
        "requests/<int:pk>/withdrawal/",
        board_request_api.BoardRequestWithdrawalView.as_view(),
        name="board-request-withdrawal",
    ),
    path("proposals/<int:pk>/adoptions/", api.AdoptionsView.as_view(), name="proposal-adoptions"),
    path("proposals/<int:pk>/lesson/", api.LessonPublicationView.as_view(), name="proposal-lesson"),
    path("proposals/<int:pk>/dossier/", api.DossierView.as_view(), name="proposal-dossier"),
    path("dossiers/verify/", api.DossierVerifyView.as_view(), name="dossier-verify"),
    path("lessons/", api.LessonListView.as_view(), name="lesson-list"),
    path("lessons/<int:pk>/", api.LessonDetailView.as_view(), name="lesson-detail"),
    path("recognitions/", api.SubtreeRecognitionListView.as_view(), name="recognition-list"),
    path("dashboard/", api.DashboardView.as_view(), name="dashboard"),
    path("reports/period/", api.PeriodReportView.as_view(), name="period-report"),
]
