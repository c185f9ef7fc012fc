from django.urls import path

from . import api

urlpatterns = [
    path("exports/", api.ExportJobListView.as_view(), name="exports"),
    path("exports/<int:pk>/", api.ExportJobView.as_view(), name="export"),
    path("exports/<int:pk>/file/", api.ExportJobFileView.as_view(), name="export-file"),
]
