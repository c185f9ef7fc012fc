from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

FEATURE_APPS = ("notifications", "proposals", "pilots", "reviews")

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("units.api_urls")),
    *(path("", include(f"{app}.api_urls")) for app in FEATURE_APPS),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("workdays.urls")),
    *(path("", include(f"{app}.urls")) for app in FEATURE_APPS),
]
