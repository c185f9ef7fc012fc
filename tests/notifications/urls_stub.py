"""TEMPORARY: proposals:detail until the proposals app has its pages."""

from django.http import HttpResponse
from django.urls import include, path

from kl14.urls import urlpatterns as project

stub = ([path("proposals/<int:pk>/", lambda r, pk: HttpResponse(), name="detail")], "proposals")
urlpatterns = [*project, path("", include(stub))]
