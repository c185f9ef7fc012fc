from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ops.metrics import metrics_view

from . import views

FEATURE_APPS = ("notifications", "proposals", "pilots", "reviews", "documents", "exports")

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("accounts.api_urls")),
    path("", include("units.api_urls")),
    *(path("", include(f"{app}.api_urls")) for app in FEATURE_APPS),
]

handler404 = "kl14.views.page_not_found"
handler500 = "kl14.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("workdays.urls")),
    path("", include("onboarding.urls")),
    path("", include("guide.urls")),
    *(path("", include(f"{app}.urls")) for app in FEATURE_APPS),
]
