from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/", views.notification_open, name="open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/read-all/", views.notification_read_all, name="read-all"),
    path("notifications/preferences/", views.preference_update, name="preferences"),
    path("notifications/reviews/<int:pk>/report/", views.review_report, name="review-report"),
]
