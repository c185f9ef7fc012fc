from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "proposals/<int:pk>/documents/<int:document_pk>.pdf",
        views.document_download,
        {"fmt": "pdf"},
        name="pdf",
    ),
    path(
        "proposals/<int:pk>/documents/<int:document_pk>.docx",
        views.document_download,
        {"fmt": "docx"},
        name="docx",
    ),
]
