from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("units/", api.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>/", api.UnitDetailView.as_view(), name="unit-detail"),
]
