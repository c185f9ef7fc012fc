from django.urls import path

from . import views

app_name = "pilots"

urlpatterns = [
    path("pilots/mine/", views.mine, name="mine"),
    path("pilots/unit/", views.unit, name="unit"),
    path("pilots/monitored/", views.monitored, name="monitored"),
    path("pilots/<int:pk>/", views.detail, name="detail"),
    path("pilots/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("pilots/<int:pk>/plan/cosign/", views.plan_cosign, name="cosign"),
    path("pilots/<int:pk>/reports/", views.report_create, name="report"),
    path("pilots/<int:pk>/inspections/", views.inspection_create, name="inspection"),
    path("pilots/<int:pk>/adjustments/", views.adjustment_create, name="adjustment"),
    path(
        "pilots/<int:pk>/milestones/<int:milestone_pk>/",
        views.milestone_done,
        name="milestone",
    ),
    path(
        "pilots/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("pilots/<int:pk>/transitions/<slug:name>/", views.transition, name="transition"),
    path(
        "pilots/adjustments/<int:adjustment_pk>/approve/",
        views.adjustment_decide,
        {"decision": "approve"},
        name="adjustment-approve",
    ),
    path(
        "pilots/adjustments/<int:adjustment_pk>/reject/",
        views.adjustment_decide,
        {"decision": "reject"},
        name="adjustment-reject",
    ),
]
