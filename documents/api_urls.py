from django.urls import path

from . import api

urlpatterns = [
    path(
        "proposals/<int:pk>/documents/",
        api.DocumentListView.as_view(),
        name="proposal-documents",
    ),
    path(
        "proposals/<int:pk>/documents/<int:document_pk>/pdf/",
        api.DocumentPdfView.as_view(),
        name="proposal-document-pdf",
    ),
    path(
        "proposals/<int:pk>/documents/<int:document_pk>/docx/",
        api.DocumentDocxView.as_view(),
        name="proposal-document-docx",
    ),
]
