from django.urls import path

from . import api

urlpatterns = [
    path("proposals/<int:pk>/plan/", api.PlanView.as_view(), name="pilot-plan"),
    path(
        "proposals/<int:pk>/plan/versions/",
        api.PlanVersionListView.as_view(),
        name="pilot-plan-versions",
    ),
    path("proposals/<int:pk>/plan/cosign/", api.PlanCosignView.as_view(), name="pilot-cosign"),
    path("proposals/<int:pk>/reports/", api.ReportListView.as_view(), name="pilot-reports"),
    path(
        "proposals/<int:pk>/inspections/",
        api.InspectionListView.as_view(),
        name="pilot-inspections",
    ),
    path(
        "proposals/<int:pk>/adjustments/",
        api.AdjustmentListView.as_view(),
        name="pilot-adjustments",
    ),
    path(
        "proposals/<int:pk>/final-report/",
        api.FinalReportView.as_view(),
        name="pilot-final-report",
    ),
    path(
        "adjustments/<int:aid>/approve/",
        api.AdjustmentApproveView.as_view(),
        name="adjustment-approve",
    ),
    path(
        "adjustments/<int:aid>/reject/",
        api.AdjustmentRejectView.as_view(),
        name="adjustment-reject",
    ),
    path("pilots/monitored/", api.MonitoredListView.as_view(), name="pilots-monitored"),
    path("pilots/unit/", api.UnitListView.as_view(), name="pilots-unit"),
    path("pilots/mine/", api.MineListView.as_view(), name="pilots-mine"),
]
