from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("onboarding/", views.index, name="index"),
    path("onboarding/template.xlsx", views.template_xlsx, name="template"),
    path("onboarding/template-<slug:name>.csv", views.template_csv, name="template_csv"),
    path("onboarding/<int:pk>/", views.batch, name="batch"),
    path("onboarding/<int:pk>/import/", views.apply, name="apply"),
]
