from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/recognitions/", views.recognition_create, name="recognize"),
    path("reviews/<int:pk>/lesson/", views.lesson_publish_view, name="lesson-publish"),
    path(
        "reviews/<int:pk>/lesson/unpublish/", views.lesson_unpublish_view, name="lesson-unpublish"
    ),
    path("reviews/<int:pk>/replication/", views.replication_view, name="replication"),
    path("reviews/<int:pk>/dossier.pdf", views.dossier_download, name="dossier"),
    path("dossiers/verify/", views.verify_view, name="verify"),
    path("lessons/", views.lessons_view, name="lessons"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("recognitions/", views.recognitions_view, name="recognitions"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/report.xlsx", views.period_report_view, {"fmt": "xlsx"}, name="report-xlsx"),
    path("dashboard/report.pdf", views.period_report_view, {"fmt": "pdf"}, name="report-pdf"),
]
