from django.contrib import admin

from .models import Digest, Notification, NotificationPreference, PeriodicReview, Reminder


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what was sent: looked at, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "unit", "reminder", "review"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "item_id", "due", "kind", "recipient", "day", "created_at"]
    list_filter = ["deadline", "kind", "day"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


@admin.register(PeriodicReview)
class PeriodicReviewAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "start", "end", "created_at"]
    list_filter = ["period", "start"]
    list_select_related = ["unit"]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["user", "day", "count", "sent_at"]
    list_select_related = ["user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
