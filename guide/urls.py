from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("help/", views.index, name="index"),
    path("help/huong-dan-su-dung.pdf", views.pdf, name="pdf"),
    path("help/<slug:slug>.pdf", views.role_pdf, name="role-pdf"),
    path("help/<slug:slug>/", views.role_guide, name="role"),
]
