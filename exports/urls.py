from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("exports/", views.jobs_view, name="jobs"),
    path("exports/new/", views.export_request_view, name="request"),
    path("exports/<int:pk>/", views.job_view, name="job"),
    path("exports/<int:pk>/file/", views.job_file_view, name="file"),
]
