from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("auth/logout/", api.LogoutView.as_view(), name="token-logout"),
]
