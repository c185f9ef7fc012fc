from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    Digest,
    Notification,
    NotificationPreference,
    OutboxEmail,
    PeriodicReview,
    Reminder,
)
from .outbox import failed_requeue


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
    list_display = ["user", "day", "count", "created_at", "sent_at"]
    list_select_related = ["user"]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "kind",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "created_at"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "notification", "digest"]
    exclude = ["message"]  # may hold a password-reset link until it is sent
    actions = ["requeue"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try the selected failed e-mails again"))
    def requeue(self, request, queryset):
        count = failed_requeue(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail is waiting to be sent again.",
                "%(count)d e-mails are waiting to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
