from django.urls import path

from . import api

urlpatterns = [
    path("proposals/<int:pk>/review/", api.ReviewView.as_view(), name="proposal-review"),
    path(
        "proposals/<int:pk>/recognitions/",
        api.RecognitionListView.as_view(),
        name="proposal-recognitions",
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
