from django.urls import path

from kl14.urls import urlpatterns as app_urlpatterns

from . import views

urlpatterns = [
    path("bench/floor/", views.floor),
    path("bench/layout/", views.layout),
    *app_urlpatterns,
]
